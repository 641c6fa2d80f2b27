#!/usr/bin/env bash
# CI: `didlab-mpi run` on 2 and 3 ranks of this machine writes byte-identical files to a single
# `didlab run` (records.csv, manifest.json, results.json/csv/md) and to `--shard` + `didlab merge`
# (results.*); a run cut short resumes to the same files computing only what was lost; a resume on
# another number of ranks, a bad spec and --shard are refused in one line with a non-zero exit.
# Then the Slurm recipe's shard arithmetic on a fake job array (scripts/slurm/test-array.sh).
# Uses the binaries `swift build` made (DIDLAB_BIN, default .build/debug); takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${DIDLAB_BIN:-.build/debug}
didlab=$bin/didlab; mpi=$bin/didlab-mpi
fail() { echo "scripts/test-mpi.sh: FAIL: $*" >&2; exit 1; }
[ -x "$didlab" ] && [ -x "$mpi" ] || fail "$didlab and $mpi must be built first (swift build)"
command -v mpirun > /dev/null || fail "mpirun not found (scripts/ensure-deps.sh installs openmpi-bin)"
# mpirun refuses root without both variables (containers and CI run as root). One machine, no
# network needed: launch locally (plm isolated: no ssh), messages through shared memory (vader)
# without the single-copy mechanism that needs ptrace rights a container may lack, the ob1
# point-to-point layer (no InfiniBand/UCX probing), more ranks than cores allowed.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_plm=isolated OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none
export OMPI_MCA_pml=ob1 OMPI_MCA_osc='^ucx' OMPI_MCA_rmaps_base_oversubscribe=1
mpirun=(mpirun --oversubscribe)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
started=$(date +%s%N)

cat > "$work/spec.yaml" <<'SPEC'
experiment: mpi-test
data: {scenario: paper, grid: {effects.att: [0.0, 0.01]}}
methods:
  - {name: TWFE, estimator: twfe, inference: cr1, target: att}
  - {name: TWFE placebo, estimator: twfe, inference: placebo, permutations: 19, target: att}
replications: 40
seed: 11
SPEC
spec=$work/spec.yaml
reports=(results.json results.csv results.md)

same() {  # same WHAT DIR_A DIR_B FILES...: byte-identical files
  local what=$1 a=$2 b=$3; shift 3
  for file in "$@"; do
    if [ "$file" = manifest.json ]; then  # the command line it records differs (didlab vs didlab-mpi); the rest may not
      cmp <(grep -v '^  "command": ' "$a/$file") <(grep -v '^  "command": ' "$b/$file") || fail "$what: $file differs ($a vs $b)"
    else
      cmp "$a/$file" "$b/$file" || fail "$what: $file differs ($a vs $b)"
    fi
  done
}
refused() {  # refused WHAT FRAGMENT COMMAND...: non-zero exit, exactly one error line naming FRAGMENT
  local what=$1 fragment=$2; shift 2
  if "$@" > "$work/out.txt" 2> "$work/err.txt"; then fail "$what: exited 0"; fi
  local lines; lines=$(grep -c '^didlab-mpi: error: ' "$work/err.txt" || true)
  [ "$lines" -eq 1 ] || { cat "$work/err.txt" >&2; fail "$what: $lines error lines, expected 1"; }
  grep -q -- "$fragment" "$work/err.txt" || { cat "$work/err.txt" >&2; fail "$what: no '$fragment' in the error"; }
}

"$didlab" run "$spec" --out "$work/single" --threads 2 > /dev/null
for i in 1 2 3; do "$didlab" run "$spec" --shard "$i/3" --out "$work/shard-$i" --threads 1 > /dev/null; done
"$didlab" merge "$work"/shard-? --out "$work/merged" > /dev/null
same "shard + merge" "$work/single" "$work/merged" "${reports[@]}"

for ranks in 2 3; do
  out=$work/mpi-$ranks
  "${mpirun[@]}" -np "$ranks" "$mpi" run "$spec" --out "$out" --threads 1 > "$work/stdout-$ranks.txt" \
    || fail "mpirun -np $ranks exited non-zero"
  same "$ranks ranks" "$work/single" "$out" records.csv manifest.json "${reports[@]}"
  same "$ranks ranks vs shard + merge" "$work/merged" "$out" "${reports[@]}"
  grep -q "records computed, 0 resumed, .* on $ranks MPI ranks" "$work/stdout-$ranks.txt" \
    || fail "$ranks ranks: rank 0's table and footer missing from stdout"
  [ "$(grep -c 'records computed' "$work/stdout-$ranks.txt")" -eq 1 ] || fail "$ranks ranks: more than one rank printed"
  grep -q "^  \"command\": \".*didlab-mpi run .*   (on $ranks MPI ranks; a resume needs as many)\"" "$out/manifest.json" \
    || fail "$ranks ranks: manifest.json does not record the number of ranks in its command"
done

# A run cut short: rank 2's records end mid-line and the gathered files are gone. The resume
# recomputes only the lost tasks and writes the same files.
out=$work/mpi-3
part=$out/ranks/2-of-3/records-shard-2-of-3.csv
head -c $(( $(wc -c < "$part") / 2 )) "$part" > "$work/cut.csv" && cat "$work/cut.csv" > "$part"
rm "$out/records.csv" "$out"/results.*
"${mpirun[@]}" -np 3 "$mpi" run "$spec" --out "$out" --threads 1 --resume > "$work/stdout-resume.txt" \
  || fail "resumed mpirun -np 3 exited non-zero"
same "resumed on 3 ranks" "$work/single" "$out" records.csv manifest.json "${reports[@]}"
computed=$(sed -n 's/^\([0-9]*\) records computed, \([0-9]*\) resumed.*/\1 \2/p' "$work/stdout-resume.txt")
read -r new old <<< "$computed"
[ "${new:-0}" -gt 0 ] && [ "${new:-0}" -lt 52 ] && [ $((new + old)) -eq 160 ] \
  || fail "resume computed '$computed' (new, resumed records); expected fewer than rank 2's 52 (26 tasks x 2 methods), 160 in all"

refused "resume on 2 ranks" "split into 3 parts" "${mpirun[@]}" -np 2 "$mpi" run "$spec" --out "$out" --resume
refused "records without --resume" "already holds the records" "${mpirun[@]}" -np 3 "$mpi" run "$spec" --out "$out"
refused "missing spec" "no-such.yaml: no such file" "${mpirun[@]}" -np 3 "$mpi" run "$work/no-such.yaml" --out "$work/x"
refused "--shard" "--shard" "${mpirun[@]}" -np 2 "$mpi" run "$spec" --shard 1/2 --out "$work/y"
touch "$work/afile"
refused "--plot under a file" "afile/figs: cannot write: Not a directory" \
  "${mpirun[@]}" -np 2 "$mpi" run "$spec" --out "$work/z" --plot "$work/afile/figs"
[ ! -e "$work/z" ] || fail "--plot under a file: the run started before the refusal ($work/z exists)"

echo "scripts/test-mpi.sh: 2 and 3 ranks byte-identical to one process and to shard + merge; resume and refusals checked" \
     "in $(( ($(date +%s%N) - started) / 1000000 )) ms" >&2
DIDLAB_BIN=$bin scripts/slurm/test-array.sh
