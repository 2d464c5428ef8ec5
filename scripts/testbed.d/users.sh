# shellcheck shell=bash
# testbed.d/users.sh: the unprivileged test user $TB_USER (a system user with
# its own group and its home under the state dir): create, remove, run as it.

TB_HOME=$STATE/home/$TB_USER

create_user() {
  remove_user quiet
  rm -rf "$TB_HOME"
  useradd --system --user-group --create-home --home-dir "$TB_HOME" --shell /bin/bash "$TB_USER" \
    >/dev/null 2>&1 || die "useradd $TB_USER failed"
  chown "$TB_USER:$TB_USER" "$TB_HOME"
  chmod 0755 "$TB_HOME"
}

# Removes the user and its group; warns when userdel fails, unless quiet.
remove_user() {  # [quiet]
  if id "$TB_USER" >/dev/null 2>&1; then
    userdel "$TB_USER" >/dev/null 2>&1 || [[ ${1:-} == quiet ]] \
      || echo "$PROG: warning: userdel $TB_USER failed" >&2
  fi
  if getent group "$TB_USER" >/dev/null 2>&1; then
    groupdel "$TB_USER" >/dev/null 2>&1 || true
  fi
}

# Replaces this process by CMD run as the test user in its home, with the bed's
# SLURM_CONF, PSGW_CONF and PATH.
exec_as_user() {  # CMD...
  id "$TB_USER" >/dev/null 2>&1 || die "user $TB_USER does not exist (is the test bed up?)"
  cd "$TB_HOME" || exit
  exec setpriv --reuid="$TB_USER" --regid="$TB_USER" --init-groups \
    env HOME="$TB_HOME" USER="$TB_USER" LOGNAME="$TB_USER" SHELL=/bin/bash \
    SLURM_CONF="$CONF" PSGW_CONF="$PSGW_CONF_FILE" PATH="$BED_PATH" "$@"
}
