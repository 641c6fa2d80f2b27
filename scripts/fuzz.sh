#!/usr/bin/env bash
# Builds the fuzz targets (package Fuzz/) with libFuzzer and AddressSanitizer and runs each for
# SECONDS, one after the other.
#
#   scripts/fuzz.sh SECONDS [TARGET...]     TARGET: FuzzCSV FuzzDataFile FuzzExperiment FuzzScenario
#                                           (or csv, datafile, experiment, scenario); default: all four
#
# Prints executions and executions per second per target; exits 1 when any target crashed,
# trapped, timed out or went past the memory limits, leaving the input that did it in
# $FUZZ_OUT/TARGET/ (default .build-fuzz/findings/TARGET/) and the run's log beside it.
# Reproduce one with: .build-fuzz/release/TARGET FILE
#
# The seeds are Fuzz/Corpus/{csv,datafile,experiment,scenario}; what the fuzzer learns is kept in
# .build-fuzz/corpus/TARGET and reused by the next run. Everything built or written stays under
# .build-fuzz (git-ignored), so the normal `swift build` and `swift test` never see any of it.
#
# Environment:
#   FUZZ_OUT        where crashing inputs and logs go (default .build-fuzz/findings)
#   FUZZ_TIMEOUT    seconds one input may take before it counts as a hang (default 10)
#   FUZZ_FRESH=1    start from the seeds alone (ignore the learned corpus)
#   FUZZ_ASAN=0     build without AddressSanitizer (in .build-fuzz-noasan): 5-7x the executions per
#                   second on the YAML targets, but out-of-bounds access in C code goes unseen and
#                   -malloc_limit_mb is not enforced (-rss_limit_mb still is)
#   FUZZ_ARGS       extra libFuzzer arguments, e.g. "-fork=1 -ignore_crashes=1" to keep going past
#                   crashes (each one still saved), or "-jobs=2"
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { echo "usage: scripts/fuzz.sh SECONDS [FuzzCSV|FuzzExperiment|FuzzScenario ...]" >&2; exit 2; }
[[ $# -ge 1 && $1 =~ ^[0-9]+$ && $1 -gt 0 ]] || usage
seconds=$1; shift
targets=()
for name in "${@:-FuzzCSV FuzzDataFile FuzzExperiment FuzzScenario}"; do
    for target in $name; do
        case $target in
            FuzzCSV|csv) targets+=(FuzzCSV) ;;
            FuzzDataFile|datafile) targets+=(FuzzDataFile) ;;
            FuzzExperiment|experiment) targets+=(FuzzExperiment) ;;
            FuzzScenario|scenario) targets+=(FuzzScenario) ;;
            *) echo "scripts/fuzz.sh: unknown target '$target' (expected FuzzCSV, FuzzDataFile, FuzzExperiment or FuzzScenario)" >&2; exit 2 ;;
        esac
    done
done

work=.build-fuzz
out=${FUZZ_OUT:-$work/findings}
timeout=${FUZZ_TIMEOUT:-10}

# Sanitizer flags live here only. -sanitize=fuzzer adds coverage to the Swift code (ours and
# Yams'), -fsanitize=fuzzer-no-link to the C code (Yams' libyaml copy); AddressSanitizer catches
# out-of-bounds access in the unsafe-pointer code (CSV parser, libyaml) and lets libFuzzer enforce
# -malloc_limit_mb. ld.gold fails on these objects (an internal error in its DWARF reader), so link
# with lld, which the Swift toolchain ships.
if [[ ${FUZZ_ASAN:-1} == 0 ]]; then
    scratch=.build-fuzz-noasan; swift_sanitizers=fuzzer; c_sanitizers=fuzzer-no-link; described="libFuzzer"
else
    scratch=$work; swift_sanitizers=fuzzer,address; c_sanitizers=fuzzer-no-link,address; described="libFuzzer + ASan"
fi
build_flags=(
    -c release --package-path Fuzz --scratch-path "$scratch"
    -Xswiftc -sanitize=$swift_sanitizers -Xswiftc -DDIDLAB_LIBFUZZER
    -Xcc -fsanitize=$c_sanitizers
    -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld
)
echo "== building ${targets[*]} (release, $described, scratch $scratch)"
start=$SECONDS
for target in "${targets[@]}"; do
    swift build "${build_flags[@]}" --product "$target" 2>&1 | grep -v '^\[' || true
    [[ -x $scratch/release/$target ]] || { echo "scripts/fuzz.sh: building $target failed" >&2; exit 1; }
done
echo "   built in $((SECONDS - start)) s"

# ASan: no leak report at exit (the Swift runtime keeps caches alive on purpose); a crash report
# symbolized by the toolchain's llvm-symbolizer. The Swift runtime's own backtracer is off: it
# reads memory ASan reports as a (false) wild access, burying the real report; libFuzzer's stack
# trace names the trap instead ("Swift runtime failure: ..." frame).
toolchain=$(dirname "$(command -v swift)")
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:symbolize=1:external_symbolizer_path=$toolchain/llvm-symbolizer}
export SWIFT_BACKTRACE=enable=no
demangle() { if [[ -x $toolchain/swift-demangle ]]; then "$toolchain/swift-demangle" --simplified; else cat; fi; }

status=0
summary=()
for target in "${targets[@]}"; do
    case $target in
        FuzzCSV) seeds=Fuzz/Corpus/csv; dict=Fuzz/Dictionaries/csv.dict ;;
        FuzzDataFile) seeds=Fuzz/Corpus/datafile; dict=Fuzz/Dictionaries/datafile.dict ;;
        FuzzExperiment) seeds=Fuzz/Corpus/experiment; dict=Fuzz/Dictionaries/yaml.dict ;;
        FuzzScenario) seeds=Fuzz/Corpus/scenario; dict=Fuzz/Dictionaries/yaml.dict ;;
    esac
    corpus=$work/corpus/$target
    [[ ${FUZZ_FRESH:-0} == 1 ]] && rm -rf "$corpus"
    mkdir -p "$corpus" "$out/$target"
    log=$out/$target/fuzz-$(date +%Y%m%d-%H%M%S).log
    echo "== $target for $seconds s (seeds $seeds, corpus $corpus, log $log)"
    set +e
    # shellcheck disable=SC2086  # FUZZ_ARGS is a list of words on purpose
    "$scratch/release/$target" "$corpus" "$seeds" \
        -max_total_time="$seconds" -timeout="$timeout" \
        -rss_limit_mb=2048 -malloc_limit_mb=2048 -max_len=65536 \
        -dict="$dict" -detect_leaks=0 -print_final_stats=1 \
        -artifact_prefix="$out/$target/" ${FUZZ_ARGS:-} >"$log" 2>&1
    rc=$?
    set -e
    execs=$(grep -o 'stat::number_of_executed_units:[[:space:]]*[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
    rate=$(grep -o 'stat::average_exec_per_sec:[[:space:]]*[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
    if [[ -z $execs ]]; then  # fork mode, or killed before the final stats: take the last status line
        execs=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#' || true)
        rate=$(grep -o 'exec/s: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
    fi
    line="$target: ${execs:-?} executions, ${rate:-?} exec/s"
    if [[ $rc -ne 0 ]] || grep -q '^==[0-9]*== ERROR: libFuzzer\|^==[0-9]*==ERROR: AddressSanitizer\|Fatal error' "$log"; then
        status=1
        line="$line, FAILED (exit $rc; see the log)"
        echo "   $target found a problem; the report:"
        # The error line and the stack from the first frame below libFuzzer's signal handler.
        grep -m1 -B2 -A24 'ERROR: libFuzzer\|ERROR: AddressSanitizer' "$log" \
            | grep -v 'PrintStackTrace\|CrashCallback\|print_stack_trace\|libc.so\|MallocHook\|HandleMalloc\|StaticCrash\|AlarmCallback' \
            | sed -n '1,18p' | demangle | cut -c1-220 | sed 's/^/     /' || tail -30 "$log"
        echo "   inputs that did it:"
        grep -o "Test unit written to [^ ]*\|artifact_prefix='[^']*'; Test unit written to [^ ]*" "$log" \
            | sed 's/.*written to /     /' | sort -u || true
    fi
    echo "   $line"
    summary+=("$line")
done

echo "== summary"
printf '   %s\n' "${summary[@]}"
if [[ $status -ne 0 ]]; then
    echo "   findings in $out/ (reproduce: $scratch/release/TARGET FILE)"
fi
exit $status
