#!/bin/sh
# Renders zoo.cfg from the environment, keeps the ensemble's membership in ZooKeeper's own
# dynamic configuration, and runs ZooKeeper in the foreground as the zookeeper user.
#
#   zookeeper-entrypoint           start this member
#   zookeeper-entrypoint health    exit 0 when this member is ready (see `ready` below)
#
# Variables (all required unless a default is shown):
#   ZOO_MY_ID                   this member's id, 1-255
#   ZOO_SERVERS                 the members this one is given, space-separated lines
#                               server.N=host:peer:election:participant;host:client
#   ZOO_TICK_TIME (2000) ZOO_INIT_LIMIT (10) ZOO_SYNC_LIMIT (5)
#   ZOO_4LW_COMMANDS_WHITELIST (ruok,srvr,conf) ZOO_ADMIN_SERVER_ENABLED (false)
#   ZOO_HEAP_MB (512)           the JVM's heap limit (-Xmx), in MiB
#
# Membership (ZooKeeper 3.5+ dynamic reconfiguration, zookeeperReconfig.md):
# - ZOO_SERVERS seeds the dynamic configuration only when the ensemble is being formed; once a
#   member has run, the ensemble's own record (the versioned dynamic file ZooKeeper keeps beside
#   zoo.cfg, on the conf volume) says who is in it.
# - A member that starts for the first time while others serve joins them: it starts from their
#   membership (as an observer if it is not in it) and adds itself as a participant.
# - A member in the quorum removes the members its ZOO_SERVERS no longer lists, so that an
#   ensemble shrinks before the removed members stop (their deletes come after the updates).
set -eu

DATA_DIR=/var/lib/zookeeper/data
DATA_LOG_DIR=/var/lib/zookeeper/datalog
CONF_DIR=/var/lib/zookeeper/conf
LOG_DIR=/var/log/zookeeper
CONF="$CONF_DIR/zoo.cfg"
RUN_DIR=/run/zookeeper
# Present once this member is a participant and the ensemble holds no member it was not given.
SETTLED="$RUN_DIR/settled"
ZKCLI=/usr/share/zookeeper/bin/zkCli.sh
# The superuser's password (membership changes need it), mounted by the program.
SUPER_PASSWORD_FILE=/etc/zookeeper/super-password
# The protected paths, when the program mounts them: one `PATH USER:DIGEST [recursive]` a line.
ACL_FILE=/etc/zookeeper/acls

die() { echo "zookeeper-entrypoint: $*" >&2; exit 64; }
say() { echo "zookeeper-entrypoint: $*" >&2; }

# This member's line, and the client address (host:port) of a line.
my_line() {
    for line in $ZOO_SERVERS; do
        case "$line" in
            "server.$ZOO_MY_ID="*) echo "$line"; return 0 ;;
        esac
    done
    return 1
}
client_of() { echo "${1#*;}"; }
id_of() { line=${1#server.}; echo "${line%%=*}"; }

# A four-letter word's answer from host:port ("" when it does not answer).
four() { echo "$2" | nc -w 3 "${1%:*}" "${1##*:}" 2>/dev/null || true; }
mode_of() { four "$1" srvr | sed -n 's/^Mode: //p'; }
# The membership a serving member reports (its server lines), "" if it reports none.
membership_of() { four "$1" conf | sed -n '/^membership:/,$p' | grep '^server\.' || true; }

# Every member's client address that is not this one's: the given ones and those of the
# ensemble's own record.
peers() {
    {
        for line in $ZOO_SERVERS; do echo "$line"; done
        { [ -f "$CONF" ] && dynamic_file >/dev/null && grep '^server\.' "$(dynamic_file)"; } || true
    } | while read -r line; do
        [ "$(id_of "$line")" = "$ZOO_MY_ID" ] || client_of "$line"
    done | sort -u
}

# The dynamic file zoo.cfg points at (ZooKeeper rewrites that line after each change).
dynamic_file() {
    f=$(sed -n 's/^dynamicConfigFile=//p' "$CONF" 2>/dev/null | tail -n 1)
    [ -n "$f" ] && [ -f "$f" ] && echo "$f"
}

# Ready: in the quorum with the membership settled; or, while the ensemble is being formed,
# up and answering with no other member serving (a first member cannot be in a quorum alone,
# and its successors start only once it is ready). Formed is what ZooKeeper itself records: it
# writes the versioned dynamic file when a first quorum forms, so a member restarted after that
# is ready only once it is back in the quorum, even while the others are electing a leader.
ready() {
    me=$(client_of "$(my_line)")
    case "$(mode_of "$me")" in
        leader | follower) [ -f "$SETTLED" ]; return $? ;;
        observer) return 1 ;;
    esac
    case "$(dynamic_file || true)" in
        *.seed) ;;
        *) return 1 ;;
    esac
    [ "$(four "$me" ruok)" = imok ] || return 1
    for peer in $(peers); do
        case "$(mode_of "$peer")" in
            leader | follower) return 1 ;;
        esac
    done
    return 0
}

# Runs zkCli commands as the superuser; the password goes on stdin, never in arguments.
as_super() {
    { printf 'addauth digest super:%s\n' "$(cat "$SUPER_PASSWORD_FILE")"; for c in "$@"; do printf '%s\n' "$c"; done; echo quit; } |
        "$ZKCLI" -server "$(client_of "$(my_line)")" 2>&1
}

# Makes the ensemble's membership what this member was given, as far as it may: adds itself,
# removes members no longer listed; never adds others (each adds itself when it starts).
settle() {
    me=$(client_of "$(my_line)")
    while :; do
        case "$(mode_of "$me")" in
            leader | follower | observer) ;;
            *) sleep 1; continue ;;
        esac
        current=$(membership_of "$me")
        wanted=$(my_line)
        if ! echo "$current" | grep -qxF "$wanted"; then
            say "adding this member: $wanted"
            as_super "reconfig -add $wanted" | grep -E 'Error|Exception|NoAuth' >&2 || true
            sleep 1
            continue
        fi
        extra=""
        for line in $current; do
            id=$(id_of "$line")
            echo " $ZOO_SERVERS " | grep -q " server\.$id=" || extra="${extra:+$extra,}$id"
        done
        if [ -n "$extra" ]; then
            say "removing members no longer listed: $extra"
            as_super "reconfig -remove $extra" | grep -E 'Error|Exception|NoAuth' >&2 || true
            sleep 1
            continue
        fi
        protect || { sleep 1; continue; }
        touch "$SETTLED"
        say "membership settled: $(echo "$current" | tr '\n' ' ')"
        return 0
    done
}

# Each protected path exists, readable by anyone and writable by its user alone; the root lets
# anyone create and read but not delete (ZooKeeper checks a delete against the parent's ACL),
# so that nobody anonymous can remove a protected path. Idempotent: every member does it.
# A path marked recursive gets that ACL on every node below it as well, once per ensemble (a
# marker under /mesos-cluster says it was done): nodes its service made open before it logged in
# keep no open door, as ACLs are not inherited; once, because setAcl -R touches every node (each
# node's ACL version goes up) and a member's readiness waits for this.
MARKERS=/mesos-cluster
protect() {
    [ -f "$ACL_FILE" ] || return 0
    set -- "setAcl / world:anyone:cr" "create $MARKERS" "setAcl $MARKERS world:anyone:r"
    while read -r path id _; do
        [ -n "$path" ] || continue
        set -- "$@" "create $path" "setAcl $path world:anyone:r,digest:$id:cdrwa"
    done < "$ACL_FILE"
    out=$(as_super "$@")
    failed "$out" && return 1
    while read -r path id depth; do
        [ "$depth" = recursive ] || continue
        marker="$MARKERS/acl-below-${path#/}"
        out=$(as_super "stat $marker")
        echo "$out" | grep -q '^cZxid' && continue
        echo "$out" | grep -q 'does not exist' || { say "could not tell whether $marker exists; retrying"; return 1; }
        out=$(as_super "setAcl -R $path world:anyone:r,digest:$id:cdrwa" "create $marker done world:anyone:r")
        failed "$out" && return 1
        say "gave every node below $path its ACL (once: $marker)"
    done < "$ACL_FILE"
    return 0
}

# Whether zkCli's output says a command failed (`create` of a node that exists is no failure).
failed() {
    if echo "$1" | grep -v 'Node already exists' | grep -qE 'Exception|NoAuth|Insufficient permission|KeeperErrorCode'; then
        say "protecting the paths failed; retrying: $(echo "$1" | grep -E 'Exception|NoAuth|KeeperErrorCode' | head -n 3 | tr '\n' ' ')"
        return 0
    fi
    return 1
}

if [ "${1:-}" = "health" ]; then
    ready
    exit $?
fi

# No quote in these messages: bash takes one there as a quote, and the next check with it.
: "${ZOO_MY_ID:?set ZOO_MY_ID to the id of this member (1-255)}"
: "${ZOO_SERVERS:?set ZOO_SERVERS to the server.N lines of the ensemble, separated by spaces}"
case "$ZOO_MY_ID" in
    '' | *[!0-9]*) die "ZOO_MY_ID=$ZOO_MY_ID is not a number from 1 to 255" ;;
esac
{ [ "$ZOO_MY_ID" -ge 1 ] && [ "$ZOO_MY_ID" -le 255 ]; } || die "ZOO_MY_ID=$ZOO_MY_ID is not a number from 1 to 255"
my_line >/dev/null || die "ZOO_SERVERS has no server.$ZOO_MY_ID line for this member"
[ -s "$SUPER_PASSWORD_FILE" ] || die "$SUPER_PASSWORD_FILE (the superuser's password) is missing or empty"

mkdir -p "$DATA_DIR" "$DATA_LOG_DIR" "$LOG_DIR" "$CONF_DIR" "$RUN_DIR"
rm -f "$SETTLED"
# A member whose id changes would join the ensemble as another member with that member's data.
if [ -s "$DATA_DIR/myid" ] && [ "$(cat "$DATA_DIR/myid")" != "$ZOO_MY_ID" ]; then
    die "$DATA_DIR/myid holds $(cat "$DATA_DIR/myid") but ZOO_MY_ID is $ZOO_MY_ID; refusing to start with another member's data"
fi
echo "$ZOO_MY_ID" > "$DATA_DIR/myid"

dynamic=$(dynamic_file || true)
if [ -z "$dynamic" ]; then
    # This member's first start: join a serving ensemble, or seed one that is being formed.
    dynamic="$CONF_DIR/zoo.cfg.dynamic.seed"
    current=""
    for peer in $(peers); do
        current=$(membership_of "$peer")
        [ -z "$current" ] || break
    done
    if [ -n "$current" ]; then
        say "joining the serving ensemble: $(echo "$current" | tr '\n' ' ')"
        {
            echo "$current"
            # Not yet a member: it syncs as an observer, then adds itself (settle).
            echo "$current" | grep -q "^server\.$ZOO_MY_ID=" || my_line | sed 's/:participant;/:observer;/'
        } > "$dynamic"
    else
        say "seeding the ensemble from ZOO_SERVERS"
        for line in $ZOO_SERVERS; do echo "$line"; done > "$dynamic"
    fi
fi

{
    echo "tickTime=${ZOO_TICK_TIME:-2000}"
    echo "initLimit=${ZOO_INIT_LIMIT:-10}"
    echo "syncLimit=${ZOO_SYNC_LIMIT:-5}"
    echo "dataDir=$DATA_DIR"
    echo "dataLogDir=$DATA_LOG_DIR"
    echo "4lw.commands.whitelist=${ZOO_4LW_COMMANDS_WHITELIST:-ruok,srvr,conf}"
    echo "admin.enableServer=${ZOO_ADMIN_SERVER_ENABLED:-false}"
    # A one-member ensemble still runs as a quorum of one, so that it can grow by reconfiguration.
    echo "standaloneEnabled=false"
    echo "reconfigEnabled=true"
    echo "dynamicConfigFile=$dynamic"
} > "$CONF.new"
mv -f "$CONF.new" "$CONF"

# The superuser's digest goes to the JVM in an argument file, so that neither it nor the
# password is on a command line (`java @file`, JDK 9+).
digest=$(printf 'super:%s' "$(cat "$SUPER_PASSWORD_FILE")" | openssl dgst -binary -sha1 | openssl base64)
umask 077
echo "-Dzookeeper.DigestAuthenticationProvider.superDigest=super:$digest" > "$RUN_DIR/jvm.args"
umask 022

# ZooKeeper rewrites zoo.cfg and writes the versioned dynamic files beside it.
chown -R zookeeper:zookeeper "$DATA_DIR" "$DATA_LOG_DIR" "$LOG_DIR" "$CONF_DIR" "$RUN_DIR"
settle &
# Java directly rather than zkServer.sh: Debian's script leaves SLF4J without a binding, so
# the server would log nothing. Logs go to stdout (journald, docker logs) and to $LOG_DIR.
J=/usr/share/java
exec setpriv --reuid=zookeeper --regid=zookeeper --init-groups \
    java @"$RUN_DIR/jvm.args" -Xmx"${ZOO_HEAP_MB:-512}"m -Dzookeeper.log.dir="$LOG_DIR" -Dzookeeper.root.logger=INFO,CONSOLE,ROLLINGFILE \
    -Dlog4j.configuration=file:/etc/zookeeper/conf/log4j.properties \
    -cp "/etc/zookeeper/conf:$J/zookeeper.jar:$J/slf4j-log4j12.jar:$J/log4j-1.2.jar" \
    org.apache.zookeeper.server.quorum.QuorumPeerMain "$CONF"
