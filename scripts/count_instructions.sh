#!/usr/bin/env bash
# Counts the instructions of the region a device program marks (utrain_region_begin/end) and
# relates them to its MACs: the program prints "region: NAME, N MACs, ...", the QEMU plugin
# counts every hart under -icount, and the cluster's cycle proxy is the busiest hart's count.
# Usage: scripts/count_instructions.sh TARGET IMAGE PLUGIN [--mnemonics]
# Fails when the program fails, when no region was counted, or, on RISC-V, when the program's own
# minstret count and the plugin's disagree by more than the calls around the markers: under
# -icount minstret is the virtual clock, i.e. all harts' instructions together.
set -euo pipefail
[[ $# -ge 3 ]] || { sed -n '2,9p' "$0" >&2; exit 2; }
target=$1 image=$2 plugin=$3
shift 3
here=$(dirname "${BASH_SOURCE[0]}")
output=$(bash "$here/qemu_run.sh" "$target" "$image" --icount --count "$plugin" "$@") || {
  echo "$output"
  exit 1
}
echo "$output"

region=$(grep -m1 '^instruction_count: region 0:' <<<"$output" || true)
macs=$(grep -m1 -oE '[0-9]+ MACs' <<<"$output" | cut -d' ' -f1 || true)
[[ -n $region && -n $macs ]] || { echo "count_instructions: no counted region or no MAC count" >&2; exit 1; }
max=$(grep -oE 'max=[0-9]+' <<<"$region" | cut -d= -f2)
sum=$(grep -oE 'sum=[0-9]+' <<<"$region" | cut -d= -f2)
awk -v macs="$macs" -v max="$max" -v sum="$sum" 'BEGIN {
  printf "%d MACs: %.3f instructions per MAC on all harts, %.3f MAC per instruction of the busiest hart\n",
         macs, sum / macs, macs / max }'

minstret=$(grep -m1 -oE '^minstret: [0-9]+' <<<"$output" | cut -d' ' -f2 || true)
if [[ -n $minstret ]]; then
  # 64 instructions for the calls around the markers, plus 0.1% for the harts' hand-over.
  awk -v a="$minstret" -v b="$sum" 'BEGIN { d = a > b ? a - b : b - a; exit !(d <= 64 + b / 1000) }' || {
    echo "count_instructions: minstret counted $minstret, the plugin $sum" >&2
    exit 1
  }
fi
