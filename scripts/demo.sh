#!/usr/bin/env bash
# The README's demo command: installs what it needs, builds, and trains an MLP on the bundled
# handwritten-digits data with `utrain train`. Extra arguments go to `utrain train`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/install_deps.sh build
cmake --preset release >/dev/null
cmake --build --preset release --target utrain >/dev/null
exec build/release/tools/utrain train "$@"
