#!/usr/bin/env bash
# Create (idempotently) the Python venv of the benchmark peers (scripts/bench-peers.py).
# The venv lives OUTSIDE the repo: ${DIDLAB_PEERS_VENV:-/opt/didlab-peers-venv}.
# Installs only what is missing or at another pinned version:
#   pyfixest 0.60.0, linearmodels, diff-diff 3.13.0, wildboottest 0.3.2, csdid, synthdid-py 0.1.0, numpy, pandas,
#   statsmodels (wildboottest's model API), threadpoolctl (to report the BLAS in use),
#   and moderndid 0.4.1 when the venv's Python is >= 3.12 (moderndid requires it).
# Python: $PYTHON if set; else python3 when it is >= 3.12; else a python3.12/3.13 found on PATH or
# under pyenv; else python3 (then moderndid is skipped, with a message).
# Usage: bash scripts/bench/setup-peers-venv.sh   (prints the venv's python path last)
set -euo pipefail

VENV="${DIDLAB_PEERS_VENV:-/opt/didlab-peers-venv}"
PYFIXEST="pyfixest==0.60.0"
DIFFDIFF="diff-diff==3.13.0"
WILDBOOT="wildboottest==0.3.2"
MODERNDID="moderndid==0.4.1"

say() { echo "setup-peers-venv: $*" >&2; }
version_ok() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; }

pick_python() {
  if [ -n "${PYTHON:-}" ]; then echo "$PYTHON"; return; fi
  if version_ok python3; then command -v python3; return; fi
  local candidate
  for candidate in python3.12 python3.13; do
    if command -v "$candidate" >/dev/null 2>&1 && version_ok "$candidate"; then command -v "$candidate"; return; fi
  done
  if command -v pyenv >/dev/null 2>&1; then
    for candidate in "$(pyenv root)"/versions/3.12*/bin/python3.12 "$(pyenv root)"/versions/3.13*/bin/python3.13; do
      if [ -x "$candidate" ] && version_ok "$candidate"; then echo "$candidate"; return; fi
    done
  fi
  command -v python3
}

if [ ! -x "$VENV/bin/python" ]; then
  PY="$(pick_python)"
  say "creating venv at $VENV with $PY ($("$PY" --version 2>&1))"
  "$PY" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
fi
VPY="$VENV/bin/python"

# has SPEC: is the requirement SPEC ("name" or "name==version") satisfied in the venv?
has() {
  "$VPY" - "$1" >/dev/null 2>&1 <<'PYEOF'
import sys
from importlib.metadata import version
name, _, wanted = sys.argv[1].partition("==")
installed = version(name)  # raises when missing
sys.exit(0 if (not wanted or installed == wanted) else 1)
PYEOF
}

missing=()
for spec in "$PYFIXEST" linearmodels "$DIFFDIFF" "$WILDBOOT" csdid numpy pandas statsmodels threadpoolctl; do
  has "$spec" || missing+=("$spec")
done
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing ${missing[*]}"
  if ! "$VPY" -m pip install --quiet "${missing[@]}"; then
    # Install what can be installed one by one, so one failing peer does not block the others.
    for spec in "${missing[@]}"; do
      if ! "$VPY" -m pip install --quiet "$spec"; then
        if [ "$spec" = "$DIFFDIFF" ]; then
          say "$spec did not install; trying the newest diff-diff this Python accepts"
          "$VPY" -m pip install --quiet diff-diff || say "diff-diff did not install: its peers will be left out"
        else
          say "$spec did not install: its peers will be left out"
        fi
      fi
    done
  fi
fi

# synthdid-py (R synthdid's port, the E4 peer): --no-deps, as its declared dependencies pull plotting
# stacks the benchmark does not use; scipy is what it imports.
has "synthdid-py==0.1.0" || { say "installing synthdid-py 0.1.0"; "$VPY" -m pip install --quiet scipy \
  && "$VPY" -m pip install --quiet --no-deps synthdid-py==0.1.0 || say "synthdid-py did not install: its peer will be left out"; }

if version_ok "$VPY"; then
  has "$MODERNDID" || { say "installing $MODERNDID"; "$VPY" -m pip install --quiet "$MODERNDID" \
    || say "$MODERNDID did not install: its peers will be left out"; }
else
  say "moderndid 0.4.1 needs Python >= 3.12 and this venv has $("$VPY" --version 2>&1): moderndid skipped" \
      "(no Python >= 3.12 was found when the venv was made; recreate it with PYTHON=/path/to/python3.12)"
fi

"$VPY" - <<'PYEOF' >&2
import sys
from importlib.metadata import version, PackageNotFoundError
print("python", sys.version.split()[0])
for p in ("pyfixest", "linearmodels", "diff-diff", "wildboottest", "csdid", "moderndid", "synthdid-py", "numpy", "pandas",
          "statsmodels", "threadpoolctl"):
    try:
        print(f"  {p} {version(p)}")
    except PackageNotFoundError:
        print(f"  {p}: not installed")
PYEOF
echo "$VPY"
