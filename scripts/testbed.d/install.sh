# shellcheck shell=bash
# testbed.d/install.sh: installing the build into the bed. `cmake --install`
# into a staging tree whose prefix is $INSTALL (moved into place by `up` only
# when the bed is rebuilt), one subdirectory at a time when the full install
# fails because some targets are not built.

# Install the build into STAGE (a DESTDIR tree whose prefix is $INSTALL, so
# paths baked in at install time are right). Targets not built yet are skipped:
# when the full install fails, every subdirectory's install script is tried on
# its own.
stage_install() {  # BUILD STAGE
  local build=$1 stage=$2 log=$STATE/install.log
  rm -rf "$stage"
  mkdir -p "$stage$INSTALL"
  if [[ ! -f $build/cmake_install.cmake ]]; then
    say "no cmake build at $build: nothing installed"
    return 0
  fi
  if ! DESTDIR=$stage cmake --install "$build" --prefix "$INSTALL" >"$log" 2>&1; then
    stage_install_each "$build" "$stage" "$log"
    say "partial install from $build (targets not built are skipped, see $log)"
  fi
  install_runas_helper "$stage$RUNAS_HELPER"
}

# psgw-runas as a site installs it (docs/admin.md): setuid root, executable only by
# root and SlurmUser's group. chgrp clears the set-id bits, so chmod comes after.
install_runas_helper() {  # PATH
  [[ -f $1 ]] || return 0
  chown "root:$(id -gn "$SLURM_USER")" "$1"
  chmod 4750 "$1"
}

# Runs every subdirectory's cmake_install.cmake on its own, failures ignored.
stage_install_each() {  # BUILD STAGE LOG
  local build=$1 stage=$2 log=$3 script
  while IFS= read -r script; do
    [[ $script == "$build/cmake_install.cmake" ]] && continue
    DESTDIR=$stage cmake -DCMAKE_INSTALL_PREFIX="$INSTALL" -P "$script" >>"$log" 2>&1 || true
  done < <(find "$build" -name cmake_install.cmake -not -path '*/_deps/*' | sort)
}

# Moves the staged install into place.
install_staged() {  # STAGE
  rm -rf "${INSTALL:?}"
  mv "$1$INSTALL" "$INSTALL"
  rm -rf "$1"
}
