#!/usr/bin/env bash
# Builds the freestanding layers (core/, kernels/, layers/, graph/) for a bare-metal target, with
# its start-up code and the device test images (tests/device/).
# Usage: scripts/cross_build.sh TARGET BUILD_DIR [CMAKE_OPTION...]   (TARGET: a file in
# cmake/toolchains/; options such as -DUTRAIN_LEAN_MATMUL_TABLE=ON go to the configure step)
set -euo pipefail
target=$1
build=$2
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
toolchain="$src/cmake/toolchains/$target.cmake"
[[ -f $toolchain ]] || { echo "cross_build: no toolchain file $toolchain" >&2; exit 2; }
cmake -S "$src" -B "$build" -G Ninja --toolchain "$toolchain" -DCMAKE_BUILD_TYPE=Release "${@:3}" >/dev/null
cmake --build "$build"
