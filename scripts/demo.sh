#!/usr/bin/env bash
# The README's demo command: installs what it needs, builds, and trains an MLP on the bundled
# handwritten-digits data with `utrain train`. Extra arguments go to `utrain train`
# (`--dataset fashion-mnist` installs and uses Fashion-MNIST).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
groups=(build)
# Fashion-MNIST is a Debian package, installed only when the demo is asked to use it.
[[ " $* " == *fashion-mnist* ]] && groups+=(data)
scripts/install_deps.sh "${groups[@]}"
cmake --preset release >/dev/null
cmake --build --preset release --target utrain >/dev/null
exec build/release/tools/utrain train "$@"
