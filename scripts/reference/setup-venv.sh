#!/usr/bin/env bash
# Create (idempotently) the Python venv used to generate golden reference values.
# The venv lives OUTSIDE the repo: ${DIDLAB_REF_VENV:-/opt/didlab-ref-venv}.
# Usage: bash scripts/reference/setup-venv.sh   (prints the venv's python path last)
set -euo pipefail

VENV="${DIDLAB_REF_VENV:-/opt/didlab-ref-venv}"
PY="${PYTHON:-python3}"
PYFIXEST_VERSION="0.60.0"
MODERNDID_VERSION="0.4.1"

# shellcheck source=scripts/reference/venv-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/venv-common.sh"
create_venv "$PY"

# Install only what is missing or at the wrong version.
if ! have pyfixest "$PYFIXEST_VERSION" || ! have_any pandas || ! have_any numpy; then
  echo "installing pyfixest==$PYFIXEST_VERSION pandas numpy into $VENV" >&2
  "$VENV/bin/python" -m pip install --quiet "pyfixest==$PYFIXEST_VERSION" pandas numpy
fi

# moderndid is only used for the mpdta data file it ships (moderndid/core/datasets/mpdta_long.pkl.gz);
# the script never imports it. moderndid 0.4.1 declares Requires-Python >=3.12, so on older
# Pythons it is installed without its dependencies and without the Python-version check.
if ! have moderndid "$MODERNDID_VERSION"; then
  echo "installing moderndid==$MODERNDID_VERSION (data file only, --no-deps) into $VENV" >&2
  "$VENV/bin/python" -m pip install --quiet --no-deps --ignore-requires-python "moderndid==$MODERNDID_VERSION"
fi

report pyfixest moderndid numpy pandas
