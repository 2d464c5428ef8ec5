-- Runs etc/job_submit.lua against a fake "slurm" table: lua job_submit_test.lua <path>
local logged = {}
slurm = { SUCCESS = 0, NO_VAL = 4294967294,
          log_info = function(fmt, ...) table.insert(logged, string.format(fmt, ...)) end }
dofile(arg[1])

local failures = 0
local function expect(name, got, want)
   if got ~= want then
      print(string.format("FAIL %s: got %s, want %s", name, tostring(got), tostring(want)))
      failures = failures + 1
   else
      print("ok   " .. name)
   end
end

local function job(offset, env, licenses)
   local t = { het_job_offset = offset, licenses = licenses, user_id = 1000 }
   if env ~= nil then
      t.spank_job_env = {}
      for i, v in ipairs(env) do t.spank_job_env[i - 1] = v end
      t.spank_job_env_size = #env
   end
   return t
end

local j = job(slurm.NO_VAL, {"SLURM_SPANK_PSGW_CWD=/home/u", "SLURM_SPANK_PSGW_NUM=2"})
slurm_job_submit(j, {}, 1000)
expect("plain job gets licenses", j.licenses, "psgw:2")

j = job(0, {"SLURM_SPANK_PSGW_NUM=3"}, "matlab:1")
slurm_job_submit(j, {}, 1000)
expect("het leader merges licenses", j.licenses, "matlab:1,psgw:3")

j = job(0, {"SLURM_SPANK_PSGW_NUM=1"}, "psgw:9,matlab:1")
slurm_job_submit(j, {}, 1000)
expect("user psgw license replaced", j.licenses, "matlab:1,psgw:1")

j = job(1, {"SLURM_SPANK_PSGW_NUM=2"})
slurm_job_submit(j, {}, 1000)
expect("het component 1 untouched", j.licenses, nil)

j = job(slurm.NO_VAL, {"SLURM_SPANK_PSGW_CWD=/x"})
slurm_job_submit(j, {}, 1000)
expect("no --gw_num untouched", j.licenses, nil)

j = job(slurm.NO_VAL, nil)
slurm_job_submit(j, {}, 1000)
expect("no spank env untouched", j.licenses, nil)

j = job(slurm.NO_VAL, {"SLURM_SPANK_PSGW_NUM=2x"})
slurm_job_submit(j, {}, 1000)
expect("malformed --gw_num untouched", j.licenses, nil)

expect("one log line per change", #logged, 3)
os.exit(failures == 0 and 0 or 1)
