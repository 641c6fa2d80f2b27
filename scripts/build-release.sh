#!/usr/bin/env bash
# Builds DiDLab in release mode for this machine's CPU: `-target-cpu native` lets the explicit
# SIMD kernels (SIMD8/SIMD16 rows, dots) use the widest vectors the CPU has (AVX2, AVX-512).
# Results are bit-identical whatever the target: Swift does not contract a*b+c into FMAs, and
# every reduction has a fixed order (checked: identical records for an experiment on all builds).
#   DIDLAB_PORTABLE=1    a binary to copy to other machines: x86-64-v3 (AVX2, FMA, BMI2; every
#                        Intel CPU since 2013 and AMD since 2015, every CI runner; RHEL 10's
#                        baseline), within 1.1x of native on W1 here; on an older CPU it refuses to
#                        start with one line (Sources/CPUGuard) instead of dying of an illegal
#                        instruction. (Swift's -target-cpu does not take the name x86-64-v3;
#                        haswell is the same feature set.)
#   DIDLAB_CPU=NAME      an LLVM CPU name instead of native, e.g. haswell (the AVX2 code path
#                        measured on an AVX-512 machine) or x86-64 (SSE2 only: any x86-64 CPU,
#                        1.7x slower than native on W1).
# `didlab --version` says which (`CPU: native, AVX-512`). The Swift runtime and Foundation are
# linked statically (--static-swift-stdlib): the process starts in about half the time (no
# dynamic symbol binding of a dozen Swift libraries), which is most of a short command's time
# (`didlab placebo` on 282 x 14: ~15 ms, of which 5-8 ms startup, against 10-20 ms of startup
# with the runtime linked dynamically), and the binary can be copied to
# a machine without Swift (it still needs libgsl, libreadstat). Extra arguments go to `swift
# build` (e.g. --product didlab; --scratch-path .build-haswell to keep two builds side by side).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
flags=()
if [ "$(uname -m)" = "x86_64" ]; then
  if [ -n "${DIDLAB_CPU:-}" ]; then
    flags=(-Xswiftc -target-cpu -Xswiftc "$DIDLAB_CPU" -Xswiftc -DDIDLAB_NAMED_CPU)
  elif [ "${DIDLAB_PORTABLE:-0}" = "1" ]; then
    flags=(-Xswiftc -target-cpu -Xswiftc haswell -Xcc -DDIDLAB_REQUIRE_X86_64_V3)
  else
    flags=(-Xswiftc -target-cpu -Xswiftc native -Xswiftc -DDIDLAB_NATIVE_CPU)
  fi
fi
swift build -c release --static-swift-stdlib "${flags[@]}" "$@" >&2
