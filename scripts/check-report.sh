#!/usr/bin/env bash
# Renders DiDLab HTML reports in headless Chromium at 1280 and 390 px and fails on console errors,
# failed or outside loads, an empty page, sideways page scrolling or a blank screenshot.
#   scripts/check-report.sh [--shots DIR] DIR-or-HTML...
# DIR is a run or diagnose output directory holding report.html (didlab report DIR writes it).
# Needs python3 (standard library only) and Debian's chromium (scripts/ensure-deps.sh --report).
set -euo pipefail
exec python3 "$(dirname "$0")/check_report.py" "$@"
