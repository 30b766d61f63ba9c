#!/bin/sh
# Starts Chronos as the upstream image's start script does (images/chronos/contract.yaml:
# `LIBPROCESS_PORT=$PORT1 java $JVM_OPTS -jar /chronos/chronos.jar $@ --http_port $PORT0`), but
# keeps every argument whole: the start script's unquoted $@ splits one that holds a blank.
# Like it, this appends --http_port $PORT0, so the program never passes --http_port itself
# (Chronos refuses an option given twice).
# Chronos takes its SMTP password and its ZooKeeper login only as options (--mail_password,
# --zk_auth). On a command line, every process on the host could read them (ps, /proc/PID/cmdline),
# so the JVM starts the launcher (launcher/ChronosLauncher.java, built into the image), which reads
# them from the files the program mounts and calls Chronos's main method with them: they are on no
# command line. With the login, the launcher also makes the nodes Chronos creates in ZooKeeper
# read-only to anyone but Chronos (Chronos sets no ACL of its own; see the launcher).
set -eu
# No quote in these messages: bash takes one there as a quote, and the next check with it.
: "${PORT0:?set PORT0 to the HTTP port of Chronos}"
: "${PORT1:?set PORT1 to the libprocess port of Chronos}"
JAVA=${JAVA:-java}
CHRONOS_JAR=${CHRONOS_JAR:-/chronos/chronos.jar}
LAUNCHER=${LAUNCHER:-/usr/local/lib/chronos-launcher}
# Read by the launcher, not here: these name the files, never hold what is in them.
MAIL_PASSWORD_FILE=${MAIL_PASSWORD_FILE:-/etc/chronos/mail-password}
ZK_AUTH_FILE=${ZK_AUTH_FILE:-/etc/chronos/zk-auth}
export MAIL_PASSWORD_FILE ZK_AUTH_FILE
# Its HTTP login (user:password) goes in MESOSPHERE_HTTP_CREDENTIALS, which Chronos's HTTP
# layer (mesosphere/chaos HttpConf) reads as the default of --http_credentials: in the process's
# environment, not in its arguments, the container's configuration or a unit. A file that does
# not hold user:password stops the start, rather than Chronos serving without a login.
HTTP_CREDENTIALS_FILE=${HTTP_CREDENTIALS_FILE:-/etc/chronos/http-credentials}
export LIBPROCESS_PORT="$PORT1"
if [ -e "$HTTP_CREDENTIALS_FILE" ]; then
    MESOSPHERE_HTTP_CREDENTIALS=$(cat "$HTTP_CREDENTIALS_FILE")
    case "$MESOSPHERE_HTTP_CREDENTIALS" in
        *"
"*) ok=0 ;;
        ?*:?*) ok=1 ;;
        *) ok=0 ;;
    esac
    if [ "$ok" = 0 ]; then
        echo "chronos-entrypoint: $HTTP_CREDENTIALS_FILE does not hold one user:password line; not starting Chronos without its login" >&2
        exit 64
    fi
    export MESOSPHERE_HTTP_CREDENTIALS
fi
# JVM_OPTS holds several options (-Xmx512m …): split on blanks, as the start script does.
# shellcheck disable=SC2086
exec "$JAVA" ${JVM_OPTS:-} -cp "$CHRONOS_JAR:$LAUNCHER" mesoscluster.ChronosLauncher "$@" --http_port "$PORT0"
