#!/usr/bin/env bash
# Create (idempotently) the venv for make_robust_reference.py (Sun-Abraham, BJS, Bacon, TWFE weights).
# The venv lives OUTSIDE the repo: ${DIDLAB_ROBUST_VENV:-/opt/didlab-robust-venv}.
# Versions used for Tests/Fixtures/robust_reference.json (recorded in its "meta"):
#   Python 3.11.7, pyfixest 0.60.0, diff-diff 3.13.0, did_imputation 0.1.0, numpy 2.4.6, pandas 3.1.1, scipy 1.17.1
# Usage: bash scripts/reference/setup-robust-venv.sh   (prints the venv's python path last)
set -euo pipefail

VENV="${DIDLAB_ROBUST_VENV:-/opt/didlab-robust-venv}"
PY="${PYTHON:-python3}"

if [ ! -x "$VENV/bin/python" ]; then
  echo "creating venv at $VENV" >&2
  "$PY" -m venv "$VENV"
fi
# shellcheck source=scripts/reference/venv-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/venv-common.sh"
if ! have pyfixest 0.60.0 || ! have diff-diff 3.13.0 || ! have did_imputation 0.1.0; then
  echo "installing pyfixest==0.60.0 diff-diff==3.13.0 did-imputation==0.1.0 into $VENV" >&2
  "$VENV/bin/python" -m pip install --quiet "pyfixest==0.60.0" "diff-diff==3.13.0" "did-imputation==0.1.0"
fi
report pyfixest diff-diff did_imputation numpy pandas scipy
