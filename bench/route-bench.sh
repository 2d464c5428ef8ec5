#!/usr/bin/env bash
# Route generator benchmark: 1024 x 1024 pairs, 64 gateways, each built-in plugin,
# and as the in-run baseline the same plugin01 logic as an external psmgmt-style
# Python plugin through psgw-plugin-runner.py (what Python routing costs here).
#   bench/route-bench.sh [BUILD_DIR]      (default: build; builds route_bench there)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$repo/build}
make -C "$build" route_bench >/dev/null
bench=$build/bench/route_bench
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/py_plugin01.py" <<'PY'
def routeConnectionS(sizeA, sizeB, numGw, i, j):
    return None, (i + j) % numGw
PY

rows=()
for plugin in plugin01 plugin02 plugin03; do
  rows+=("$("$bench" "$plugin" 1024 1024 64 5)")
done
baseline=$("$bench" "$tmp/py_plugin01.py" 1024 1024 64 3)
base_ms=$(awk '{print $4}' <<<"$baseline")

printf '%-28s %9s %10s %10s %10s %12s\n' plugin lines bytes best_ms median_ms "python/this"
for row in "${rows[@]}" "$baseline"; do
  read -r name lines bytes best median <<<"$row"
  [[ $name == "$tmp"/* ]] && name="python plugin01 (runner)"
  ratio=$(awk -v b="$base_ms" -v t="$best" 'BEGIN{printf "%.1fx", b/t}')
  printf '%-28s %9s %10s %10s %10s %12s\n' "$name" "$lines" "$bytes" "$best" "$median" "$ratio"
done
