#!/usr/bin/env bash
# Rewrites the golden JSON files (Tests/Fixtures/Goldens/*.json) and Documentation/JSON.md from the
# built didlab binary, so a changed JSON contract is a reviewable diff. Review `git diff` before
# committing: every changed number or key is a change users will see.
# Usage: scripts/update-goldens.sh   (builds the tests first)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
UPDATE_GOLDENS=1 swift test --skip-build --filter GoldenTests
git status --short Tests/Fixtures/Goldens Documentation/JSON.md
