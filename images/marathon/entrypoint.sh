#!/bin/sh
# Starts Marathon as the upstream image does (/marathon/bin/marathon with the flags given), with
# its ZooKeeper login read from a mounted file into MARATHON_ZK: Marathon turns every MARATHON_<NAME>
# variable into --<name> (Main.scala envToArgs, v1.10.26), so the password is on no command line
# and in no container configuration. The program then passes no --zk (a flag given both ways is
# refused by upstream's docs).
set -eu
MARATHON=${MARATHON:-/marathon/bin/marathon}
ZK_LOGIN_FILE=${ZK_LOGIN_FILE:-/etc/marathon/zk}
if [ -r "$ZK_LOGIN_FILE" ]; then
    MARATHON_ZK=$(cat "$ZK_LOGIN_FILE")
    export MARATHON_ZK
fi
exec "$MARATHON" "$@"
