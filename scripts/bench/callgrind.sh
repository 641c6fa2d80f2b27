#!/usr/bin/env bash
# Instruction counts per run of each benchmark workload, by valgrind's callgrind: the stable
# comparison between versions (the same count whatever else the machine is doing), where wall
# times on this project's shared 2-core machines drift by 10-20%.
#   scripts/bench/callgrind.sh BINARY [WORKLOAD ...]      (default: W1 W2 W3 W4 W5 E0)
# BINARY must not use AVX-512 (valgrind 3.19 cannot run it): build it with
#   DIDLAB_CPU=haswell scripts/build-release.sh --product didlab --scratch-path .build-haswell
# Counts only the workload's timed loop (callgrind --toggle-collect on Workload.measure), divided
# by its calls (the --quick run count + 1 warm-up). A toggle counts only the thread that enters
# it, so W2 (two threads) is counted as the difference between a full and a --quick run of the
# whole process, divided by the difference in runs (a few minutes). Prints: workload,
# instructions per run.
set -euo pipefail
binary=${1:?usage: scripts/bench/callgrind.sh BINARY [WORKLOAD ...]}
shift
workloads=("$@")
[ ${#workloads[@]} -gt 0 ] || workloads=(W1 W2 W3 W4 W5 E0)
data=${DIDLAB_BENCH_DATA:-$(mktemp -d)}
"$binary" bench --data-only --data-dir "$data" >/dev/null 2>&1
out=$(mktemp -d)
# valgrind 3.19 cannot read the DWARF 5 of Swift 6.3's release builds: count a copy without it
# (the symbol table, hence the function names, stays).
objcopy --strip-debug "$binary" "$out/didlab"
binary=$out/didlab
total() { grep -E "^summary:" "$1" | awk '{print $2}'; }
runs_of() { python3 -c "import json,sys; print([w['didlab']['runs'] for w in json.load(open(sys.argv[1]))['workloads'] if w['name']==sys.argv[2]][0])" "$1" "$2"; }
for w in "${workloads[@]}"; do
  if [ "$w" = W2 ]; then
    for mode in quick full; do
      flag=(); [ $mode = quick ] && flag=(--quick)
      valgrind --tool=callgrind --callgrind-out-file="$out/$w-$mode.cg" \
        "$binary" bench "${flag[@]}" --only "$w" --data-dir "$data" --format json > "$out/$w-$mode.json" 2>/dev/null
    done
    q=$(total "$out/$w-quick.cg"); f=$(total "$out/$w-full.cg")
    rq=$(runs_of "$out/$w-quick.json" "$w"); rf=$(runs_of "$out/$w-full.json" "$w")
    python3 -c "import sys; q,f,rq,rf=map(int,sys.argv[1:]); print(f'W2\t{(f-q)/(rf-rq):,.0f} instructions per run (all threads; ({f:,} - {q:,}) / ({rf} - {rq}) runs)')" "$q" "$f" "$rq" "$rf"
    continue
  fi
  valgrind --tool=callgrind --callgrind-out-file="$out/$w.cg" --toggle-collect='*Workload*7measure*' \
    "$binary" bench --quick --only "$w" --data-dir "$data" --format json > "$out/$w.json" 2>/dev/null
  python3 - "$out/$w.cg" "$out/$w.json" "$w" <<'PY'
import json, sys
total = None
for line in open(sys.argv[1]):
    if line.startswith("totals:") or line.startswith("summary:"):
        total = int(line.split()[1])
runs = {r["name"]: r["didlab"]["runs"] for r in json.load(open(sys.argv[2]))["workloads"]}
name = sys.argv[3]
count = runs[name] + 1
print(f"{name}\t{total / count:,.0f} instructions per run ({total:,} over {count} calls)")
PY
done
rm -rf "$out"
