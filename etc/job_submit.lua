--[[
psgw job_submit.lua: turn --gw_num=N into licenses=psgw:N, so that Slurm holds a
job in the queue (Reason=Licenses) until N gateway nodes are free, instead of
starting it, failing PrologSlurmctld and requeueing it.

slurm.conf:  JobSubmitPlugins=lua  and  Licenses=psgw:<number of gateway nodes>
This file goes next to slurm.conf as job_submit.lua (or is merged into an
existing one: call psgw_add_licenses(job_desc) from your slurm_job_submit).

job_desc.spank_job_env holds the job-control variables set by psgw_spank.so as
"NAME=value" strings (no SPANK_ prefix). For a heterogeneous job this script
runs once per component; licenses are allowed on the leader (offset 0) only, and
adding them to every component would ask for N per component.
]]

local PSGW_LICENSE = "psgw"

-- The --gw_num value from the job's SPANK job-control environment, or nil.
local function psgw_num(job_desc)
   local env = job_desc.spank_job_env
   if env == nil then
      return nil
   end
   local size = job_desc.spank_job_env_size or 0
   for i = 0, size do
      local entry = env[i]
      if entry ~= nil then
         local value = string.match(entry, "^SLURM_SPANK_PSGW_NUM=(%d+)$")
         if value ~= nil then
            return tonumber(value)
         end
      end
   end
   return nil
end

-- Is this the het leader or a plain job? (NO_VAL, nil or 0 mean yes.)
local function is_leader(job_desc)
   local offset = job_desc.het_job_offset
   return offset == nil or offset == 0 or offset == slurm.NO_VAL or offset == 4294967294
end

-- Adds "psgw:N" to job_desc.licenses, keeping any licenses the user asked for.
function psgw_add_licenses(job_desc)
   if not is_leader(job_desc) then
      return
   end
   local num = psgw_num(job_desc)
   if num == nil or num < 1 then
      return
   end
   local current = job_desc.licenses
   if current ~= nil and current ~= "" then
      -- An explicit psgw license from the user is replaced, not added to.
      local kept = {}
      for item in string.gmatch(current, "[^,]+") do
         if not string.match(item, "^" .. PSGW_LICENSE .. "[:=]") and item ~= PSGW_LICENSE then
            table.insert(kept, item)
         end
      end
      table.insert(kept, PSGW_LICENSE .. ":" .. num)
      job_desc.licenses = table.concat(kept, ",")
   else
      job_desc.licenses = PSGW_LICENSE .. ":" .. num
   end
   slurm.log_info("psgw: job from uid %s asks for %d gateway node(s): licenses=%s",
                  tostring(job_desc.user_id), num, job_desc.licenses)
end

function slurm_job_submit(job_desc, part_list, submit_uid)
   psgw_add_licenses(job_desc)
   return slurm.SUCCESS
end

function slurm_job_modify(job_desc, job_rec, part_list, modify_uid)
   return slurm.SUCCESS
end

return slurm.SUCCESS
