#!/usr/bin/env bash
# npm run up:dev: `pulumi up` of the dev stack by the real engine (scripts/engine.ts), state in a
# file backend in this folder (.pulumi-state): no Pulumi Cloud account, no global login changed.
# The CLI is yours if `pulumi` is on PATH, else the one `npm run toolchain` builds from its Go
# module (about 5 minutes the first time, cached after). Needs Node.js 20+ and a running Docker
# engine on this machine (the dev stack builds and runs everything on it).
set -euo pipefail
cd "$(dirname "$0")/.."

docker info >/dev/null 2>&1 || { echo "up:dev: no Docker engine answers on this machine; start one (or run scripts/docker-engine.sh start as root on Debian)" >&2; exit 1; }
[ -d node_modules ] || npm ci --no-audit --no-fund
command -v pulumi >/dev/null || bash scripts/toolchain.sh >/dev/null
# The file backend encrypts secrets with a passphrase; an empty one is allowed for a local dev
# stack. Set PULUMI_CONFIG_PASSPHRASE yourself to use a real one.
exec npx ts-node -P tsconfig.json scripts/engine.ts up --stack dev "$@"
