#!/bin/sh
# Bamboo's ReloadCommand, run once a new config has passed `haproxy -c` and is in place.
# HAProxy runs in master-worker mode: on SIGUSR2 the master re-reads the config and starts new
# workers, which take over the listeners, while the old ones finish their connections. A config
# the master cannot load leaves the old workers serving. The master re-reads every file it was
# started with (the entrypoint's -f options: Bamboo's config, and the front with the login).
set -eu
pidfile=${HAPROXY_PIDFILE:-/run/haproxy/haproxy.pid}
pid=$(cat "$pidfile")
kill -0 "$pid"
kill -USR2 "$pid"
