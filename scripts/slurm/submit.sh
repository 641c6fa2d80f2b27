#!/usr/bin/env bash
# Submits a sharded `didlab run` to Slurm: an array of N tasks (scripts/slurm/run-array.sbatch)
# and a merge job that starts when all of them succeeded (scripts/slurm/merge.sbatch).
#   scripts/slurm/submit.sh N SPEC OUT [didlab run options...]
# Extra sbatch options for both jobs (partition, account; cpus apply to each) go in SBATCH_ARGS, e.g.
#   SBATCH_ARGS="--partition=short --cpus-per-task=16" scripts/slurm/submit.sh 32 spec.yaml runs/big
# Prints the two job ids. Resubmitting the same command continues the run (finished shards compute nothing).
set -euo pipefail
if [ "$#" -lt 3 ] || ! [[ "$1" =~ ^[1-9][0-9]*$ ]]; then
  echo "submit.sh: expected N SPEC OUT [didlab run options...] with N >= 1 shards" >&2; exit 1
fi
n=$1; spec=$2; out=$3; shift 3
here=$(cd "$(dirname "$0")" && pwd)
read -r -a extra <<< "${SBATCH_ARGS:-}"
array=$(sbatch --parsable ${extra[@]+"${extra[@]}"} --array=1-"$n" "$here/run-array.sbatch" "$spec" "$out" "$@")
array=${array%%;*}  # --parsable prints JOBID or JOBID;CLUSTER
merge=$(sbatch --parsable ${extra[@]+"${extra[@]}"} --dependency=afterok:"$array" "$here/merge.sbatch" "$out")
echo "array job $array (tasks 1-$n), merge job ${merge%%;*} (after all succeed): results in $out"
