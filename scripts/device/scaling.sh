#!/usr/bin/env bash
# Multi-core scaling of the Monte Carlo runner and the placebo engine, for a many-core machine.
# Usage: scripts/device/scaling.sh BIN_DIR OUT_DIR  (BIN_DIR holds a release `didlab`, built with
# --static-swift-stdlib, and the shared libraries it needs: libgsl, libgslcblas, libreadstat).
# Writes OUT_DIR/scaling.csv (workload,threads,seconds,sha256 of the result) and checks that every
# thread count gives a bit-identical result.
set -euo pipefail
bin=$1; out=$2
mkdir -p "$out"
export LD_LIBRARY_PATH="$bin${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
didlab="$bin/didlab"
if [ ! -x "$didlab" ] && [ -f "$bin/didlab.xz" ]; then
  if command -v xz > /dev/null; then xz -dc "$bin/didlab.xz" > /tmp/didlab
  else python3 -c "import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open('/tmp/didlab', 'wb'))" "$bin/didlab.xz"; fi
  chmod +x /tmp/didlab && didlab=/tmp/didlab
fi
work=$(mktemp -d)
# The spec of bench workload W6p (paper scenario x TWFE, event study, CS, SA, BJS with CR1, and a
# 199-draw placebo), written by `didlab bench` beside its data, here at 4000 replications.
"$didlab" bench --data-only --only W6p --data-dir "$work/bench-data" > /dev/null
sed -e 's/^experiment: bench$/experiment: scaling/' -e 's/^replications: 1000$/replications: 4000/' \
  "$work/bench-data/monte-carlo.yaml" > "$work/scaling.yaml"
nproc > "$out/nproc.txt"; lscpu > "$out/lscpu.txt" 2>/dev/null || true
echo "workload,threads,seconds,sha256" > "$out/scaling.csv"
for threads in 1 2 4 8 16; do
  [ "$threads" -le "$(nproc)" ] || continue
  start=$(date +%s%N)
  "$didlab" run "$work/scaling.yaml" --threads "$threads" --out "$work/run-$threads" --format json > /dev/null
  end=$(date +%s%N)
  sum=$(sha256sum "$work/run-$threads/results.json" | cut -c1-16)
  echo "monte-carlo-4000x6,$threads,$(( (end - start) / 1000000 ))e-3,$sum" | tee -a "$out/scaling.csv"
  start=$(date +%s%N)
  "$didlab" placebo Tests/Fixtures/mpdta.csv --y lemp --unit countyreal --time year --cohort first.treat \
    --permutations 200000 --seed 3 --threads "$threads" --format json > "$work/placebo-$threads.json"
  end=$(date +%s%N)
  # The report names its thread count; everything else must be identical.
  sum=$(grep -v '"threads"' "$work/placebo-$threads.json" | sha256sum | cut -c1-16)
  echo "placebo-mpdta-200000,$threads,$(( (end - start) / 1000000 ))e-3,$sum" | tee -a "$out/scaling.csv"
done
cp "$work/run-1/results.md" "$out/results-1thread.md"
