#!/usr/bin/env bash
# The README's test command: installs what is missing, builds and runs the whole test suite
# twice: with the fast kernels (the default), then with DIDLAB_KERNELS=reference, the plain
# reference kernels (Documentation/Kernels.md), so every parity test checks both backends.
# DIDLAB_TEST_BACKENDS=fast (or reference) runs one pass only. Then the checks that run whole
# programs: didlab-mpi on 2 and 3 ranks and the Slurm recipe on a fake array, byte-identical to one
# run (scripts/test-mpi.sh), and the HTML reports of a small run and diagnosis in headless Chromium
# (scripts/ci-report.sh, which installs Chromium where it is missing). Extra arguments go to both
# `swift test` runs (e.g. --filter FixestParity) and skip those two checks.
#
# The reference pass leaves out the suites that never reach a kernel — readers, bad-input
# refusals, rendering of figures and reports, --version — since they would repeat the fast pass
# exactly (DIDLAB_TEST_ALL=1 runs them under both backends anyway).
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
  skip=()
  if [ "$backend" = reference ] && [ "${DIDLAB_TEST_ALL:-0}" != 1 ]; then
    skip=(--skip 'BadInputCLITests|BadInputMatrixTests|ReportCLITests|PlotCLITests|DataFileCLITests|VersionCLITests|JSONInputTests|ReadStatTableTests|CSVTableTests|FastFloatParsingTests|EventStudyPlotTests|RunFiguresTests|DroppedRowsCLITests')
  fi
  echo "== swift test with DIDLAB_KERNELS=$backend" >&2
  DIDLAB_KERNELS="$backend" swift test --skip-build "${skip[@]}" "$@"
done
if [ "$#" -eq 0 ]; then
  echo "== MPI and Slurm (scripts/test-mpi.sh)" >&2
  scripts/test-mpi.sh
  echo "== HTML reports in headless Chromium (scripts/ci-report.sh)" >&2
  scripts/ci-report.sh .build/debug/didlab
fi
