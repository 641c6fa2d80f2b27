#!/usr/bin/env bash
# The README's main command: installs what is missing, builds DiDLab in release mode and runs
# the main job on its built-in default. Extra arguments go to `didlab`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
swift build -c release --product didlab >&2
if [ "$#" -gt 0 ]; then
  exec .build/release/didlab "$@"
fi
# Default job: the pilot-calendar baseline on the real mpdta panel that the repo ships.
exec .build/release/didlab estimate Tests/Fixtures/mpdta.csv --y lemp --unit countyreal --time year \
  --cohort first.treat --cluster countyreal
