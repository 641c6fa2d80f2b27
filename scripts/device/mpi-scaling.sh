#!/usr/bin/env bash
# MPI and thread scaling of `didlab run` (the built-in paper-baseline), and thread scaling of
# `didlab diagnose` (mpdta), for a machine with many cores and Open MPI (Documentation/ScaleOut.md).
# Not yet run: no many-core machine with Open MPI was available when it was written (issue 17).
# Usage: scripts/device/mpi-scaling.sh BIN_DIR OUT_DIR [REPLICATIONS]
#   BIN_DIR holds release `didlab` and `didlab-mpi` (scripts/build-release.sh; didlab-mpi links
#   libmpi dynamically, so the machine needs Open MPI's runtime: openmpi-bin and mpirun on PATH).
#   REPLICATIONS per condition of paper-baseline (default 200).
# Writes OUT_DIR/mpi-scaling.csv (workload,ranks,threads_per_rank,cores,seconds,sha256) and fails
# unless every layout of a workload gives a byte-identical results.json (diagnose: its JSON without
# the thread count). Layouts on C cores (C = 1, 2, 4, ... up to nproc): threads only (1 x C),
# ranks only (C x 1, each rank bound to a core), and hybrid (C/4 ranks x 4 threads) from C = 8.
set -euo pipefail
bin=$1; out=$2; replications=${3:-200}
mkdir -p "$out"
export LD_LIBRARY_PATH="$bin${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader
export OMPI_MCA_btl_vader_single_copy_mechanism=none OMPI_MCA_pml=ob1
didlab=$bin/didlab; mpi=$bin/didlab-mpi
for tool in "$didlab" "$mpi"; do [ -x "$tool" ] || { echo "mpi-scaling.sh: $tool missing" >&2; exit 1; }; done
command -v mpirun > /dev/null || { echo "mpi-scaling.sh: mpirun not found (install openmpi-bin)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cores=$(nproc)
nproc > "$out/nproc.txt"; lscpu > "$out/lscpu.txt" 2>/dev/null || true; mpirun --version | head -1 > "$out/mpirun.txt"
echo "workload,ranks,threads_per_rank,cores,seconds,sha256" > "$out/mpi-scaling.csv"
record() {  # record WORKLOAD RANKS THREADS SECONDS_NS FILE
  local sum; sum=$(grep -v '"threads"' "$5" | sha256sum | cut -c1-16)
  echo "$1,$2,$3,$(($2 * $3)),$(($4 / 1000000))e-3,$sum" | tee -a "$out/mpi-scaling.csv"
}
timed() {  # timed STDOUT_FILE COMMAND...: runs it, prints its wall time in ns
  local file=$1 start; shift; start=$(date +%s%N); "$@" > "$file"; echo $(( $(date +%s%N) - start ))
}
run=(run --replications "$replications" --format json)
for c in 1 2 4 8 16 32 64 128 256; do
  [ "$c" -le "$cores" ] || break
  ns=$(timed /dev/null "$didlab" "${run[@]}" --threads "$c" --out "$work/t-$c")
  record paper-baseline 1 "$c" "$ns" "$work/t-$c/results.json"
  ns=$(timed /dev/null mpirun --bind-to core -np "$c" "$mpi" "${run[@]}" --threads 1 --out "$work/r-$c")
  record paper-baseline "$c" 1 "$ns" "$work/r-$c/results.json"
  if [ "$c" -ge 8 ]; then
    ns=$(timed /dev/null mpirun --map-by "slot:PE=4" -np $((c / 4)) "$mpi" "${run[@]}" --threads 4 --out "$work/h-$c")
    record paper-baseline $((c / 4)) 4 "$ns" "$work/h-$c/results.json"
  fi
  ns=$(timed "$work/d-$c.json" "$didlab" diagnose Tests/Fixtures/mpdta.csv --y lemp --unit countyreal --time year \
    --cohort first.treat --replications 200 --seed 3 --threads "$c" --format json)
  record diagnose-mpdta-200 1 "$c" "$ns" "$work/d-$c.json"
done
for workload in paper-baseline diagnose-mpdta-200; do
  sums=$(grep "^$workload," "$out/mpi-scaling.csv" | cut -d, -f6 | sort -u | wc -l)
  [ "$sums" -eq 1 ] || { echo "mpi-scaling.sh: $workload: $sums different results across layouts" >&2; exit 1; }
done
