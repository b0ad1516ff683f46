#!/usr/bin/env bash
# Runs a device image in QEMU and exits with the program's exit status (124: it timed out).
# Usage: scripts/qemu_run.sh TARGET IMAGE [--icount] [--count PLUGIN [--mnemonics] [--blocks]] [--timeout S]
#   TARGET        a file of cmake/toolchains/: rv32imfc (one hart), rv32imafc (8 harts),
#                 cortex_m4f (mps2-an386)
#   --icount      -icount shift=0: the virtual clock counts instructions, so plugin counts and
#                 the rv32 minstret are exact and repeatable
#   --count PLUGIN  load the instruction-count plugin (build target utrain_instruction_count) for
#                 the regions between utrain_region_begin and utrain_region_end
#   --mnemonics   with --count: also the regions' instruction mix
#   --blocks      with --count: also where the regions' instructions ran (top translated blocks)
#   --timeout S   seconds before the run is stopped (default 120)
# The program's output (semihosting writes it to QEMU's stderr) and the plugin's report go to
# stdout.
set -euo pipefail
[[ $# -ge 2 ]] || { sed -n '2,13p' "$0" >&2; exit 2; }
target=$1 image=$2
shift 2
options=() plugin="" mnemonics="" blocks="" timeout=120
while [[ $# -gt 0 ]]; do
  case $1 in
    --icount) options+=(-icount shift=0) ;;
    --count) plugin=$2; shift ;;
    --mnemonics) mnemonics=",mnemonics=on" ;;
    --blocks) blocks=",blocks=on" ;;
    --timeout) timeout=$2; shift ;;
    *) echo "qemu_run: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[[ -f $image ]] || { echo "qemu_run: no image $image" >&2; exit 2; }

# The CPU is given the target's extensions only, so an instruction the target lacks traps.
case $target in
  rv32imfc) qemu=(qemu-system-riscv32 -M virt -bios none -smp 1 -cpu rv32,a=false,d=false) nm=riscv64-unknown-elf-nm ;;
  rv32imafc) qemu=(qemu-system-riscv32 -M virt -bios none -smp 8 -cpu rv32,d=false) nm=riscv64-unknown-elf-nm ;;
  cortex_m4f) qemu=(qemu-system-arm -M mps2-an386) nm=arm-none-eabi-nm ;;
  *) echo "qemu_run: unknown target $target" >&2; exit 2 ;;
esac

if [[ -n $plugin ]]; then
  marker() { "$nm" "$image" | awk -v name="$1" '$3 == name { print "0x" $1 }'; }
  begin=$(marker utrain_region_begin) end=$(marker utrain_region_end)
  [[ -n $begin && -n $end ]] || { echo "qemu_run: $image has no region markers" >&2; exit 2; }
  options+=(-d plugin -plugin "$plugin,begin=$begin,end=$end$mnemonics$blocks")
fi

exec timeout "$timeout" "${qemu[@]}" -nographic -semihosting-config enable=on,target=native \
  "${options[@]}" -kernel "$image" 2>&1
