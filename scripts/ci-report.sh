#!/usr/bin/env bash
# CI: a small run and a small diagnosis (seconds, with the didlab that scripts/test.sh built),
# their HTML reports (didlab report DIR), the event-study figure and a run's figures, and
# scripts/check-report.sh on all of them in headless Chromium.
#   scripts/ci-report.sh [DIDLAB]     (default .build/debug/didlab)
set -euo pipefail
cd "$(dirname "$0")/.."
didlab=${1:-.build/debug/didlab}
scripts/ensure-deps.sh --report
work=$(mktemp -d "${TMPDIR:-/tmp}/didlab-ci-report.XXXXXX")
trap 'rm -rf "$work"' EXIT
cat > "$work/spec.yaml" <<'SPEC'
experiment: ci-report
aims: >
  A smoke test of the HTML report: TWFE and Callaway-Sant'Anna on the paper design, 10 replications.
data: {scenario: paper}
methods:
  - {name: TWFE CR1 city, estimator: twfe, inference: cr1, target: att}
  - {name: CS never, estimator: cs, control: never, inference: cr1, target: att}
replications: 10
seed: 17
SPEC
"$didlab" run "$work/spec.yaml" --out "$work/run" --format json > /dev/null
"$didlab" diagnose Tests/Fixtures/mpdta.csv --y lemp --unit countyreal --time year --cohort first.treat \
  --methods "twfe cr1,cs cr1 control=notyet" --replications 20 --effects 0.05,0.1 --out "$work/diagnose" \
  --format json > /dev/null
"$didlab" report "$work/run"
"$didlab" report "$work/diagnose"
# The figures on their own: the event study (four estimators overlaid) and a run's bias and coverage.
"$didlab" estimate Tests/Fixtures/mpdta.csv --y lemp --unit countyreal --time year --cohort first.treat \
  --method event --lags 3 --plot "$work/event-study.svg" --plot-methods event,cs,sa,bjs > /dev/null
"$didlab" merge "$work/run" --out "$work/run-merged" --plot "$work/figures" > /dev/null
scripts/check-report.sh --shots "${DIDLAB_REPORT_SHOTS:-$work/shots}" "$work/run" "$work/diagnose" \
  "$work/event-study.svg" "$work/figures/bias.svg" "$work/figures/coverage.svg"
