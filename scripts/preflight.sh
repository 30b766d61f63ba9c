# shellcheck shell=sh
# npm run preflight's reading of one host, sent by scripts/preflight.ts as
#   sh -c "$(this program)" preflight DATA_ROOT CONTAINER...
# over the connection the deploy uses (SSH as scripts/ssh.ts builds it, `sudo -n` unless root;
# or this machine's shell for the docker runtime's local engine). It changes nothing that lasts:
# its one write is a temporary file in the data root (or the nearest folder above it that exists),
# removed at once. Each record is one line, `KEY[:SUBJECT] BASE64`, judged by components/preflight.
set -u
field() { printf '%s %s\n' "$1" "$(printf '%s' "$2" | base64 -w0)"; }
root=$1
shift
field uid "$(id -u)"
field cgroup "$(stat -fc %T /sys/fs/cgroup 2>&1)"
if command -v docker >/dev/null 2>&1; then
  v=$(docker version --format '{{json .}}' 2>&1)
  field docker-version "$?
$v"
  field docker-info "$(docker info --format '{{json .}}' 2>/dev/null)"
  for c in "$@"; do
    field "container:$c" "$(docker container inspect --format '{{.State.Running}} {{.Id}} {{.HostConfig.NetworkMode}}' -- "$c" 2>/dev/null)"
  done
else
  field docker-version "127
docker: command not found"
fi
if command -v ss >/dev/null 2>&1; then
  l=$(ss -ltnpH 2>&1)
  field listen "$l"
  for pid in $(printf '%s\n' "$l" | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u); do
    field "pid:$pid" "$(cat "/proc/$pid/cgroup" 2>/dev/null)"
  done
else
  field listen-missing ""
fi
# The data root, or the nearest folder above it that exists (the deploy makes the rest).
d=$root
while [ ! -d "$d" ] && [ "$d" != / ]; do d=$(dirname -- "$d"); done
field root-kind "$( [ -e "$root" ] && { [ -d "$root" ] && echo dir || echo other; } || echo absent)"
field root-checked "$d"
field df "$(df -Pk -- "$d" 2>&1)"
if t=$(mktemp -p "$d" .mesos-cluster-preflight.XXXXXX 2>&1); then
  e=$( { printf 'mesos-cluster preflight\n' >"$t"; } 2>&1) && e=ok
  rm -f -- "$t"
  field write "$e"
else
  field write "$t"
fi
field clock-timedatectl "$(timedatectl show -p NTPSynchronized --value 2>/dev/null)"
field clock-timesync "$( [ -e /run/systemd/timesync/synchronized ] && echo yes)"
field clock-chronyc "$(chronyc -n tracking 2>/dev/null | sed -n 's/^Leap status *: *//p')"
field systemd "$(systemctl list-unit-files --no-legend docker.service 2>/dev/null | head -n 1)"
missing=
for tool in systemctl base64 sha256sum install cmp mktemp stat; do
  command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
field tools-missing "${missing# }"
echo END
