#!/usr/bin/env bash
# The README's test command: installs what is missing, builds and runs the whole test suite
# twice: with the fast kernels (the default), then with DIDLAB_KERNELS=reference, the plain
# reference kernels (Documentation/Kernels.md), so every parity test checks both backends.
# DIDLAB_TEST_BACKENDS=fast (or reference) runs one pass only. Extra arguments go to both
# `swift test` runs (e.g. --filter FixestParity).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
swift build --build-tests
backends=${DIDLAB_TEST_BACKENDS:-fast reference}
for backend in $backends; do
  case "$backend" in
    fast|reference) ;;
    *) echo "scripts/test.sh: DIDLAB_TEST_BACKENDS: '$backend' is not a kernel backend; expected fast or reference" >&2
       exit 1 ;;
  esac
  echo "== swift test with DIDLAB_KERNELS=$backend" >&2
  DIDLAB_KERNELS="$backend" swift test --skip-build "$@"
done
