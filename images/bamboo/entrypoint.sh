#!/bin/bash
# Runs HAProxy (master-worker) and Bamboo side by side in one container. When either ends, the
# other is stopped and the container exits with its status, so that the runtime (Docker's
# restart policy, or systemd) starts both again: never one without the other.
# Arguments: Bamboo's own flags (-bind, -config, -log).
# With the program's authentication, a second config is mounted: HAProxy's front for Bamboo,
# which requires the operator's login and passes requests on to Bamboo on 127.0.0.1. HAProxy
# loads it beside the config Bamboo renders (a second -f); a reload (haproxy-reload: SIGUSR2
# to the master) re-reads both, as the master keeps the arguments it was started with.
set -euo pipefail
config=${HAPROXY_CONFIG:-/etc/haproxy/haproxy.cfg}
initial=${HAPROXY_INITIAL:-/etc/bamboo/haproxy-initial.cfg}
front=${HAPROXY_FRONT:-/etc/bamboo/haproxy-front.cfg}
pidfile=${HAPROXY_PIDFILE:-/run/haproxy/haproxy.pid}
bamboo=${BAMBOO:-/usr/local/bamboo/bamboo}

configs=(-f "$config")
if [ -e "$front" ]; then
    configs+=(-f "$front")
fi
mkdir -p "$(dirname "$config")" "$(dirname "$pidfile")"
# Until Bamboo writes the first config from Marathon's apps: the frontend, no apps.
cp "$initial" "$config"
haproxy -c -q "${configs[@]}"
haproxy -W -db "${configs[@]}" -p "$pidfile" &
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
