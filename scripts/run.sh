#!/usr/bin/env bash
# The README's main command: installs what is missing, builds DiDLab in release mode and runs
# the main job on its built-in default. Extra arguments go to `didlab`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-release.sh --product didlab
if [ "$#" -gt 0 ]; then
  exec .build/release/didlab "$@"
fi
# Default job: the lab's built-in paper-baseline experiment (pilot calendar, constant and dynamic
# effects, TWFE / event study with city-clustered CR1 and a placebo test, 500 replications).
exec .build/release/didlab run
