# Shared by scripts/reference/setup-*-venv.sh (sourced after VENV is set): create the venv, ask
# what is installed in it, print the versions and the venv's python path.

# create_venv PYTHON: make $VENV with PYTHON and a current pip, unless it exists.
create_venv() {
  if [ ! -x "$VENV/bin/python" ]; then
    echo "creating venv at $VENV with $1" >&2
    "$1" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
  fi
}

# have DIST VERSION: is DIST==VERSION installed in the venv?
have() {
  "$VENV/bin/python" -c 'import sys; from importlib.metadata import version; sys.exit(version(sys.argv[1]) != sys.argv[2])' "$1" "$2" >/dev/null 2>&1
}

# have_any DIST: is DIST installed in the venv, at any version?
have_any() { "$VENV/bin/python" -c 'import sys; from importlib.metadata import version; version(sys.argv[1])' "$1" >/dev/null 2>&1; }

# report DIST...: Python's version and each distribution's on stderr, then the venv's python path
# on stdout (the last line of every setup script).
report() {
  "$VENV/bin/python" - "$@" <<'PYEOF' >&2
import sys
from importlib.metadata import version
print("python", sys.version.split()[0])
for p in sys.argv[1:]:
    print(p, version(p))
PYEOF
  echo "$VENV/bin/python"
}
