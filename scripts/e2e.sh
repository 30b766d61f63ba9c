#!/usr/bin/env bash
# npm run test:e2e: a Docker engine, an SSH client, then the end-to-end test (test/e2e).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/docker-engine.sh start
command -v ssh >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openssh-client >/dev/null; }
exec bash scripts/jest-deadline.sh -c jest.e2e.config.js --runInBand "$@"
