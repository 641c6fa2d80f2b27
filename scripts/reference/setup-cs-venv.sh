#!/usr/bin/env bash
# Create (idempotently) the Python venv for the Callaway & Sant'Anna reference values
# (scripts/reference/make_cs_reference.py). It lives OUTSIDE the repo: ${DIDLAB_CS_VENV:-/opt/didlab-cs-venv}.
# moderndid 0.4.1 needs Python >= 3.12, so this venv uses 3.12 (PYTHON=... to choose another).
# Usage: bash scripts/reference/setup-cs-venv.sh   (prints the venv's python path last)
set -euo pipefail

VENV="${DIDLAB_CS_VENV:-/opt/didlab-cs-venv}"
if [ -z "${PYTHON:-}" ]; then
  for candidate in python3.12 "$HOME/.pyenv/versions/3.12.1/bin/python3.12" python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      PYTHON="$candidate"; break
    fi
  done
fi
: "${PYTHON:?no Python >= 3.12 found; set PYTHON=/path/to/python3.12}"

PINS=("csdid==0.4.3" "moderndid==0.4.1" "diff-diff==3.13.0" "differences==0.3.0" "pandas" "numpy")

# shellcheck source=scripts/reference/venv-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/venv-common.sh"
create_venv "$PYTHON"

if ! have csdid 0.4.3 || ! have moderndid 0.4.1 || ! have diff-diff 3.13.0 || ! have differences 0.3.0; then
  echo "installing ${PINS[*]} into $VENV" >&2
  "$VENV/bin/python" -m pip install --quiet "${PINS[@]}"
fi

report csdid moderndid diff-diff differences drdid numpy pandas statsmodels
