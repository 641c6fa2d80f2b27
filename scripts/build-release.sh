#!/usr/bin/env bash
# Builds DiDLab in release mode for this machine's CPU: `-target-cpu native` lets the explicit
# SIMD kernels (SIMD8/SIMD16 rows, dots) use the widest vectors the CPU has (AVX2, AVX-512),
# which is 1.3-1.5x faster than the portable x86-64 baseline (SSE2) on the estimators.
# Results are bit-identical either way: Swift does not contract a*b+c into FMAs, and every
# reduction has a fixed order (checked: identical records for an experiment on both builds).
# DIDLAB_PORTABLE=1 builds for the baseline CPU instead (e.g. a binary to copy elsewhere).
# Extra arguments go to `swift build` (e.g. --product didlab).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
flags=()
if [ "${DIDLAB_PORTABLE:-0}" != "1" ] && [ "$(uname -m)" = "x86_64" ]; then
  flags=(-Xswiftc -target-cpu -Xswiftc native -Xswiftc -DDIDLAB_NATIVE_CPU)
fi
swift build -c release "${flags[@]}" "$@" >&2
