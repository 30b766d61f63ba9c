#!/usr/bin/env bash
# `pulumi up` of the dev stack against a file backend in this folder (.pulumi-state), so that
# no Pulumi Cloud account is needed and no global login is changed.
# Needs: the Pulumi CLI (https://www.pulumi.com/docs/install/), Node.js 20+, and a running
# Docker engine on this machine (the dev stack builds and runs everything on it).
set -euo pipefail
cd "$(dirname "$0")/.."

command -v pulumi >/dev/null || {
    echo "up:dev: the Pulumi CLI is not installed; see https://www.pulumi.com/docs/install/" >&2
    echo "up:dev: without it, 'npm run render -- --stack dev --out render-out' writes every file the stack would deploy, for review" >&2
    exit 1
}
docker info >/dev/null 2>&1 || { echo "up:dev: no Docker engine answers on this machine; start one (or run scripts/docker-engine.sh start as root on Debian)" >&2; exit 1; }
[ -d node_modules ] || npm ci

mkdir -p .pulumi-state
export PULUMI_BACKEND_URL="file://$PWD/.pulumi-state"
# The file backend encrypts secrets with a passphrase; an empty one is allowed for a local dev
# stack. Set PULUMI_CONFIG_PASSPHRASE yourself to use a real one.
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-}"
pulumi stack select dev --create --non-interactive
pulumi up --stack dev "$@"
