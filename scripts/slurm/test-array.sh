#!/usr/bin/env bash
# CI: the Slurm recipe's shard arithmetic on a fake job array. Each task of an array is run as
# Slurm would run it (run-array.sbatch is a bash script; #SBATCH lines are comments) with the
# SLURM_ARRAY_* variables Slurm sets, then merge.sbatch; the merged report must be byte-identical
# to a single `didlab run`. Arrays whose ids start at 1 (--array=1-3) and at 0 (--array=0-3), and
# a resubmitted array (every shard already done) are checked; a stepped array is refused.
# Uses the `didlab` that `swift build` made (DIDLAB_BIN, default .build/debug); takes seconds.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${DIDLAB_BIN:-.build/debug}
export DIDLAB=$bin/didlab
fail() { echo "scripts/slurm/test-array.sh: FAIL: $*" >&2; exit 1; }
[ -x "$DIDLAB" ] || fail "$DIDLAB must be built first (swift build)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
started=$(date +%s%N)
cat > "$work/spec.yaml" <<'SPEC'
experiment: slurm-test
data: {scenario: paper, grid: {effects.att: [0.0, 0.01]}}
methods:
  - {name: TWFE, estimator: twfe, inference: cr1, target: att}
replications: 30
seed: 5
SPEC
"$DIDLAB" run "$work/spec.yaml" --out "$work/single" > /dev/null

array() {  # array MIN MAX OUT: every task of --array=MIN-MAX, then the merge job
  local min=$1 max=$2 out=$3 id
  for id in $(seq "$min" "$max"); do
    SLURM_ARRAY_JOB_ID=4242 SLURM_ARRAY_TASK_ID=$id SLURM_ARRAY_TASK_MIN=$min SLURM_ARRAY_TASK_MAX=$max \
      SLURM_ARRAY_TASK_COUNT=$((max - min + 1)) SLURM_CPUS_PER_TASK=1 \
      bash scripts/slurm/run-array.sbatch "$work/spec.yaml" "$out" > "$work/task.txt" 2>&1 \
      || { cat "$work/task.txt" >&2; fail "task $id of --array=$min-$max exited non-zero"; }
  done
  bash scripts/slurm/merge.sbatch "$out" > /dev/null 2> "$work/merge.txt" || { cat "$work/merge.txt" >&2; fail "merge of $out"; }
  for file in results.json results.csv results.md; do
    cmp "$work/single/$file" "$out/$file" || fail "--array=$min-$max: $file differs from a single run"
  done
}
array 1 3 "$work/ones"
[ -d "$work/ones/shard-1-of-3" ] && [ -d "$work/ones/shard-3-of-3" ] || fail "--array=1-3: expected shard-1-of-3 ... shard-3-of-3"
array 0 3 "$work/zeros"
[ -d "$work/zeros/shard-1-of-4" ] && [ -d "$work/zeros/shard-4-of-4" ] || fail "--array=0-3: expected shard-1-of-4 ... shard-4-of-4"
array 1 3 "$work/ones"  # resubmitted: every shard resumes, computes nothing, and the merge is the same
grep -q "0 records computed" "$work/task.txt" || fail "a resubmitted task recomputed records"
# --array=1-5:2 has ids 1, 3, 5 (count 3, min 1, max 5): not the shards 1...3.
if SLURM_ARRAY_TASK_ID=3 SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_MAX=5 SLURM_ARRAY_TASK_COUNT=3 \
   bash scripts/slurm/run-array.sbatch "$work/spec.yaml" "$work/stepped" 2> "$work/err.txt"; then
  fail "a stepped array was accepted"
fi
grep -q "contiguous range" "$work/err.txt" || fail "a stepped array's refusal does not say why: $(cat "$work/err.txt")"
# The merge refuses when a shard is missing.
rm -r "$work/ones/shard-2-of-3"
if bash scripts/slurm/merge.sbatch "$work/ones" > /dev/null 2> "$work/err.txt"; then fail "merge accepted a missing shard"; fi
grep -q "missing" "$work/err.txt" || fail "merge with a missing shard: $(cat "$work/err.txt")"
echo "scripts/slurm/test-array.sh: fake arrays 1-3 and 0-3 merge to the single run's report; resubmission, a stepped array" \
     "and a missing shard checked in $(( ($(date +%s%N) - started) / 1000000 )) ms" >&2
