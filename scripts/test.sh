#!/usr/bin/env bash
# Builds and runs every test twice: an optimised build, then under AddressSanitizer and
# UndefinedBehaviorSanitizer. Installs what it needs first. This is the README's test command
# and what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/install_deps.sh build cross data
for preset in release asan; do
  echo "=== $preset ==="
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset"
  ctest --preset "$preset"
done
