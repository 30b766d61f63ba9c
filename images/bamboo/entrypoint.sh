#!/bin/bash
# Runs HAProxy (master-worker) and Bamboo side by side in one container. When either ends, the
# other is stopped and the container exits with its status, so that the runtime (Docker's
# restart policy, or systemd) starts both again: never one without the other.
# Arguments: Bamboo's own flags (-bind, -config, -log).
set -euo pipefail
config=${HAPROXY_CONFIG:-/etc/haproxy/haproxy.cfg}
initial=${HAPROXY_INITIAL:-/etc/bamboo/haproxy-initial.cfg}
pidfile=${HAPROXY_PIDFILE:-/run/haproxy/haproxy.pid}
bamboo=${BAMBOO:-/usr/local/bamboo/bamboo}

mkdir -p "$(dirname "$config")" "$(dirname "$pidfile")"
# Until Bamboo writes the first config from Marathon's apps: the frontend, no apps.
cp "$initial" "$config"
haproxy -c -q -f "$config"
haproxy -W -db -f "$config" -p "$pidfile" &
haproxy_pid=$!
"$bamboo" "$@" &
bamboo_pid=$!

stop() { kill -TERM "$haproxy_pid" "$bamboo_pid" 2>/dev/null || true; }
trap stop TERM INT
set +e
wait -n "$haproxy_pid" "$bamboo_pid"
status=$?
stop
wait
exit "$status"
