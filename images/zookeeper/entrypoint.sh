#!/bin/sh
# Renders zoo.cfg and myid from the environment, then runs ZooKeeper in the foreground as the
# zookeeper user. `zookeeper-entrypoint health` exits 0 once the member is in a quorum. Variables (all required unless a default is shown):
#   ZOO_MY_ID                   this member's id, 1-255
#   ZOO_SERVERS                 space-separated server.N=host:peer:election;host:client lines
#   ZOO_TICK_TIME (2000) ZOO_INIT_LIMIT (10) ZOO_SYNC_LIMIT (5)
#   ZOO_4LW_COMMANDS_WHITELIST (ruok,srvr,mntr) ZOO_ADMIN_SERVER_ENABLED (false)
#   ZOO_HEAP_MB (512)           the JVM's heap limit (-Xmx), in MiB
set -eu

DATA_DIR=/var/lib/zookeeper/data
DATA_LOG_DIR=/var/lib/zookeeper/datalog
LOG_DIR=/var/log/zookeeper
CONF_DIR=/etc/zookeeper/cluster
CONF="$CONF_DIR/zoo.cfg"

die() { echo "zookeeper-entrypoint: $*" >&2; exit 64; }

# This member's client address, from its own server line.
client_address() {
    for line in $ZOO_SERVERS; do
        case "$line" in
            "server.$ZOO_MY_ID="*) echo "${line#*;}"; return 0 ;;
        esac
    done
    return 1
}

if [ "${1:-}" = "health" ]; then
    addr=$(client_address) || exit 1
    echo srvr | nc -w 3 "${addr%:*}" "${addr##*:}" | grep -Eq '^Mode: (leader|follower|standalone)$'
    exit $?
fi

: "${ZOO_MY_ID:?set ZOO_MY_ID to this member's id (1-255)}"
: "${ZOO_SERVERS:?set ZOO_SERVERS to the ensemble's server.N lines, separated by spaces}"
case "$ZOO_MY_ID" in
    ''|*[!0-9]*) die "ZOO_MY_ID=$ZOO_MY_ID is not a number from 1 to 255" ;;
esac
[ "$ZOO_MY_ID" -ge 1 ] && [ "$ZOO_MY_ID" -le 255 ] || die "ZOO_MY_ID=$ZOO_MY_ID is not a number from 1 to 255"
client_address >/dev/null || die "ZOO_SERVERS has no server.$ZOO_MY_ID line for this member"

mkdir -p "$DATA_DIR" "$DATA_LOG_DIR" "$LOG_DIR" "$CONF_DIR"
# A member whose id changes would join the ensemble as another member with that member's data.
if [ -s "$DATA_DIR/myid" ] && [ "$(cat "$DATA_DIR/myid")" != "$ZOO_MY_ID" ]; then
    die "$DATA_DIR/myid holds $(cat "$DATA_DIR/myid") but ZOO_MY_ID is $ZOO_MY_ID; refusing to start with another member's data"
fi
echo "$ZOO_MY_ID" > "$DATA_DIR/myid"

{
    echo "tickTime=${ZOO_TICK_TIME:-2000}"
    echo "initLimit=${ZOO_INIT_LIMIT:-10}"
    echo "syncLimit=${ZOO_SYNC_LIMIT:-5}"
    echo "dataDir=$DATA_DIR"
    echo "dataLogDir=$DATA_LOG_DIR"
    echo "4lw.commands.whitelist=${ZOO_4LW_COMMANDS_WHITELIST:-ruok,srvr,mntr}"
    echo "admin.enableServer=${ZOO_ADMIN_SERVER_ENABLED:-false}"
    echo "standaloneEnabled=true"
    echo "reconfigEnabled=false"
    for line in $ZOO_SERVERS; do echo "$line"; done
} > "$CONF"

chown -R zookeeper:zookeeper "$DATA_DIR" "$DATA_LOG_DIR" "$LOG_DIR"
# Java directly rather than zkServer.sh: Debian's script leaves SLF4J without a binding, so
# the server would log nothing. Logs go to stdout (journald, docker logs) and to $LOG_DIR.
J=/usr/share/java
exec setpriv --reuid=zookeeper --regid=zookeeper --init-groups \
    java -Xmx"${ZOO_HEAP_MB:-512}"m -Dzookeeper.log.dir="$LOG_DIR" -Dzookeeper.root.logger=INFO,CONSOLE,ROLLINGFILE \
    -Dlog4j.configuration=file:/etc/zookeeper/conf/log4j.properties \
    -cp "/etc/zookeeper/conf:$J/zookeeper.jar:$J/slf4j-log4j12.jar:$J/log4j-1.2.jar" \
    org.apache.zookeeper.server.quorum.QuorumPeerMain "$CONF"
