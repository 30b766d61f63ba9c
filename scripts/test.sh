#!/usr/bin/env bash
# npm test: installs the npm packages on a fresh clone (and, with Maven, the Java libraries of
# scripts/java-jars.sh), then type check, lint, ShellCheck over every shell file
# (scripts/shellcheck.sh), and every jest suite.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
npx tsc --noEmit -p .
npx eslint .
bash scripts/shellcheck.sh
# The Java libraries the Chronos launcher's test runs with, from Maven Central into a cache.
if command -v mvn >/dev/null; then
    bash scripts/java-jars.sh >/dev/null
fi
exec bash scripts/jest-deadline.sh "$@"
