#!/usr/bin/env bash
# npm test: installs the npm packages on a fresh clone, then type check, lint, ShellCheck over every
# shell file (scripts/shellcheck.sh), and every jest suite.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
npx tsc --noEmit -p .
npx eslint .
bash scripts/shellcheck.sh
exec bash scripts/jest-deadline.sh "$@"
