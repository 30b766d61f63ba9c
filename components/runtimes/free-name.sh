# shellcheck shell=sh
# A unit's ExecStartPre (renderUnit in systemdUnit.ts says why it is there), run as
#   /bin/sh -c "$(this program)" free-name CONTAINER
# It removes the container and waits until Docker has let go of its name: 30 s at most (each
# docker call bounded too), then the start fails and systemd tries again.
# An Exec line is one line: the lines below are joined with "; ", so each must end where a ";"
# may stand; @DOCKER@ is the docker client the unit runs. What is above them is not sent (as in
# unit-create.sh).
d="timeout 10 @DOCKER@"; t=$(date +%s)
while $d container inspect "$1" >/dev/null 2>&1; do $d rm -f "$1" >/dev/null 2>&1 || true
[ $(( $(date +%s) - t )) -lt 30 ] || { echo "container $1 still exists after 30s" >&2; exit 1; }
sleep 0.1; done
