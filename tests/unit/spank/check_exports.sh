#!/bin/sh
# Fails if psgw_spank.so exports anything besides SPANK_PLUGIN()'s symbols and slurm_spank_*.
set -eu
so=$1
symbols=$(nm -D --defined-only "$so" | awk '{print $3}')
[ -n "$symbols" ] || { echo "no exported symbols in $so"; exit 1; }
status=0
for s in plugin_name plugin_type plugin_version spank_plugin_version slurm_spank_init; do
    echo "$symbols" | grep -qx "$s" || { echo "missing export: $s"; status=1; }
done
extra=$(echo "$symbols" | grep -vxE 'plugin_name|plugin_type|plugin_version|spank_plugin_version|slurm_spank_[a-z_]+' || true)
[ -z "$extra" ] || { echo "unexpected exports:"; echo "$extra"; status=1; }
[ $status -eq 0 ] && echo "exports ok:" "$symbols"
exit $status
