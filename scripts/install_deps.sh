#!/usr/bin/env bash
# Installs the Debian packages a command needs, and nothing when they are all there (a dpkg
# query per package costs milliseconds; apt-get update runs only when something is missing).
# Usage: scripts/install_deps.sh GROUP...   GROUP: build, cross, python, data
set -euo pipefail

declare -A groups=(
  [build]="cmake ninja-build g++ libgtest-dev libgmock-dev libbenchmark-dev nlohmann-json3-dev libcli11-dev libfmt-dev
           zlib1g-dev"
  # Bare-metal RISC-V and Cortex-M4F compilers with picolibc, QEMU to run their images, and the
  # host gcc that builds the QEMU instruction-count plugin. Debian has no libstdc++ for
  # riscv64-unknown-elf (the device code needs none); the ARM one comes with picolibc.
  [cross]="gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf picolibc-riscv64-unknown-elf
           gcc-arm-none-eabi binutils-arm-none-eabi picolibc-arm-none-eabi
           libstdc++-arm-none-eabi-picolibc qemu-system-misc qemu-system-arm gcc"
  [python]="python3 python3-torch python3-numpy"
  # Data sets `utrain train --dataset` reads from where Debian installs them (30 MB).
  [data]="dataset-fashion-mnist"
)

wanted=()
for group in "$@"; do
  [[ -n ${groups[$group]+set} ]] || { echo "install_deps: unknown group '$group'" >&2; exit 2; }
  wanted+=(${groups[$group]})
done
# One dpkg query for all packages; a package it does not list is missing.
installed=$(dpkg-query -W -f='${Package} ${Status}\n' "${wanted[@]}" 2>/dev/null |
            awk '$4 == "installed" { print $1 }' || true)
missing=()
for pkg in "${wanted[@]}"; do
  grep -qx "$pkg" <<<"$installed" || missing+=("$pkg")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "install_deps: installing ${missing[*]}" >&2
sudo_cmd=()
[[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
"${sudo_cmd[@]}" apt-get update -q
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
