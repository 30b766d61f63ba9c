#!/bin/sh
# Starts Marathon as the upstream image does (/marathon/bin/marathon with the flags given), with
# its ZooKeeper login read from a mounted file into MARATHON_ZK: Marathon turns every MARATHON_<NAME>
# variable into --<name> (Main.scala envToArgs, v1.8.244), so the password is on no command line
# and in no container configuration. The program then passes no --zk (a flag given both ways is
# refused by upstream's docs).
# Its HTTP login (user:password) is read the same way into MESOSPHERE_HTTP_CREDENTIALS, which
# Marathon reads as the default of --http_credentials (HttpConf.scala at v1.8.244): in the
# process's environment, never in its arguments, the container's configuration or a unit.
# Marathon serves without any login when that value is not user:password (it logs an error
# and goes on: HttpModule.scala createSecurityHandler), so a file that does not hold one stops
# the start instead. Marathon prints its arguments at start, the ZooKeeper URL from MARATHON_ZK
# with its password among them: its output is filtered (below).
set -eu
MARATHON=${MARATHON:-/marathon/bin/marathon}
ZK_LOGIN_FILE=${ZK_LOGIN_FILE:-/etc/marathon/zk}
HTTP_CREDENTIALS_FILE=${HTTP_CREDENTIALS_FILE:-/etc/marathon/http-credentials}
if [ -r "$ZK_LOGIN_FILE" ]; then
    MARATHON_ZK=$(cat "$ZK_LOGIN_FILE")
    export MARATHON_ZK
fi
# Present but unreadable fails here too (set -e): never a start without the login it was given.
if [ -e "$HTTP_CREDENTIALS_FILE" ]; then
    MESOSPHERE_HTTP_CREDENTIALS=$(cat "$HTTP_CREDENTIALS_FILE")
    case "$MESOSPHERE_HTTP_CREDENTIALS" in
        *"
"*) ok=0 ;;
        ?*:?*) ok=1 ;;
        *) ok=0 ;;
    esac
    if [ "$ok" = 0 ]; then
        echo "marathon-entrypoint: $HTTP_CREDENTIALS_FILE does not hold one user:password line; not starting Marathon without its login" >&2
        exit 64
    fi
    export MESOSPHERE_HTTP_CREDENTIALS
fi
# Marathon 1.8 logs "Starting Marathon <version> with <arguments>", those it made from MARATHON_*
# variables included, the ZooKeeper URL with its password (Main.scala L70 and envToArgs, v1.8.244);
# 1.10 logged every option instead, the HTTP login among them. So its output and errors go
# through a filter that writes *** for either password wherever it appears, before they reach
# docker logs or the journal. Marathon itself is still this process (exec): it gets the signals,
# its exit is the container's; each filter ends when Marathon's side closes.
zk_password=""
case "${MARATHON_ZK:-}" in
    zk://*:*@*) zk_password=${MARATHON_ZK#zk://*:} && zk_password=${zk_password%@*} ;;
esac
http_password=""
[ -n "${MESOSPHERE_HTTP_CREDENTIALS:-}" ] && http_password=${MESOSPHERE_HTTP_CREDENTIALS#*:}
if [ -n "$zk_password" ] || [ -n "$http_password" ]; then
    pipes=$(mktemp -d)
    mkfifo "$pipes/out" "$pipes/err"
    # shellcheck disable=SC2016 # awk's program: its $0 is awk's
    redact='BEGIN { k = 0; if (ENVIRON["REDACT1"] != "") s[++k] = ENVIRON["REDACT1"]; if (ENVIRON["REDACT2"] != "") s[++k] = ENVIRON["REDACT2"] }
        { line = $0
          for (j = 1; j <= k; j++) { out = ""; n = length(s[j])
            while ((i = index(line, s[j])) > 0) { out = out substr(line, 1, i - 1) "***"; line = substr(line, i + n) }
            line = out line }
          print line; fflush() }'
    export REDACT1="$http_password" REDACT2="$zk_password"
    awk "$redact" <"$pipes/out" &
    awk "$redact" <"$pipes/err" >&2 &
    unset REDACT1 REDACT2
    exec "$MARATHON" "$@" >"$pipes/out" 2>"$pipes/err"
fi
exec "$MARATHON" "$@"
