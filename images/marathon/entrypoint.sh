#!/bin/sh
# Starts Marathon as the upstream image does (/marathon/bin/marathon with the flags given), with
# its ZooKeeper login read from a mounted file into MARATHON_ZK: Marathon turns every MARATHON_<NAME>
# variable into --<name> (Main.scala envToArgs, v1.10.26), so the password is on no command line
# and in no container configuration. The program then passes no --zk (a flag given both ways is
# refused by upstream's docs).
# Its HTTP login (user:password) is read the same way into MESOSPHERE_HTTP_CREDENTIALS, which
# Marathon reads as the default of --http_credentials (HttpConf.scala at v1.10.26): in the
# process's environment, never in its arguments, the container's configuration or a unit.
# Marathon serves without any login when that value is not user:password (it logs an error
# and goes on: HttpModule.scala createSecurityHandler), so a file that does not hold one stops
# the start instead. Marathon prints it at start: its output is filtered (below).
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
    # Marathon logs every option at start, this login among them (--http_credentials' default is
    # this variable), and redacts only ZooKeeper URLs (Main.scala configToLogLines, v1.10.26). So its
    # output and errors go through a filter that writes *** for the password wherever it appears,
    # before they reach docker logs or the journal. Marathon itself is still this process (exec):
    # it gets the signals, its exit is the container's; each filter ends when Marathon's side closes.
    pipes=$(mktemp -d)
    mkfifo "$pipes/out" "$pipes/err"
    # shellcheck disable=SC2016 # awk's program: its $0 is awk's
    redact='BEGIN { s = ENVIRON["REDACT"]; n = length(s) }
        { line = $0; out = ""
          while (n > 0 && (i = index(line, s)) > 0) { out = out substr(line, 1, i - 1) "***"; line = substr(line, i + n) }
          print out line; fflush() }'
    REDACT=${MESOSPHERE_HTTP_CREDENTIALS#*:} awk "$redact" <"$pipes/out" &
    REDACT=${MESOSPHERE_HTTP_CREDENTIALS#*:} awk "$redact" <"$pipes/err" >&2 &
    exec "$MARATHON" "$@" >"$pipes/out" 2>"$pipes/err"
fi
exec "$MARATHON" "$@"
