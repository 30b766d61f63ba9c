# shellcheck shell=sh
# A unit's create step, run on its host as root by the systemd runtime (systemd.ts) as
#   sh -c "$(this program)" mesos-cluster UNIT IMAGE PULL CONTAINER TIMEOUT HEALTH...
# with the unit's files on stdin, one `MODE UID GID PATH BASE64` record a line. Everything down
# to `set -eu` is for readers and ShellCheck, and is not sent: each byte sent is kept in every
# unit's state, and a changed byte restarts every unit (test/golden/unitCommands.json).
#
# It installs each file that differs (content, mode or owner), removes the files the previous
# run emitted and this one does not, enables the unit, makes sure the image is there (PULL: 0
# pulls nothing, 1 pulls, a folder pulls with the login of the Docker client config there),
# restarts the unit unless what is asked for is what runs and is ready, and waits until HEALTH
# (run in the container) succeeds, or fails after TIMEOUT seconds with the unit's last log lines.
# It converges: the asked-for state (a hash of stdin and the image) is recorded as applied only
# once the service is ready, so a run after any failure restarts and checks it again; a run over
# an applied, active unit changes nothing.
set -eu
unit=$1 image=$2 pull=$3 container=$4 timeout=$5
shift 5
state=/var/lib/mesos-cluster/units/$unit
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$state"
chmod 0700 "$state"
cat > "$tmp/stdin"
want=$( (cat "$tmp/stdin"; printf '%s' "$image") | sha256sum | cut -d' ' -f1)
: > "$tmp/emitted"
while read -r mode uid gid path data; do
  [ -n "$path" ] || continue
  printf '%s\n' "$path" >> "$tmp/emitted"
  printf '%s' "$data" | base64 -d > "$tmp/file"
  if ! cmp -s "$tmp/file" "$path" || [ "$(stat -c '%a %u %g' "$path")" != "${mode#0} $uid $gid" ]; then
    mkdir -p "$(dirname "$path")"
    install -m "$mode" -o "$uid" -g "$gid" "$tmp/file" "$path.new"
    mv -f "$path.new" "$path"
  fi
done < "$tmp/stdin"
# Files a previous run emitted and this one does not (a credential after authentication is
# switched off) are removed; until this run succeeds, both sets are remembered.
if [ -f "$state/files" ]; then
  grep -vxF -f "$tmp/emitted" "$state/files" | while read -r old; do rm -f "$old"; done
fi
sort -u "$tmp/emitted" "$state/files" 2>/dev/null > "$tmp/files" || sort -u "$tmp/emitted" > "$tmp/files"
mv -f "$tmp/files" "$state/files"
systemctl daemon-reload
systemctl enable --quiet "$unit"
case $pull in
  0) ;;
  1) docker pull -q "$image" >/dev/null 2>&1 || true ;;
  *) docker --config "$pull" pull -q "$image" >/dev/null 2>&1 || true ;;
esac
if ! docker image inspect "$image" >/dev/null 2>&1; then
  echo "mesos-cluster: $unit is written and enabled, but image $image is not on this host$([ "$pull" = 0 ] || echo " and could not be pulled")" >&2
  exit 1
fi
changed=1
if [ "$(cat "$state/applied" 2>/dev/null)" = "$want" ] && systemctl is-active --quiet "$unit"; then
  changed=0
fi
if [ "$changed" = 1 ]; then
  rm -f "$state/applied"
  # A start that fails is retried by systemd (Restart=always); the wait below reports it with its log.
  systemctl restart "$unit" || echo "mesos-cluster: $unit did not start at once; waiting for systemd to start it again" >&2
fi
started=$(date +%s)
until docker exec "$container" "$@" >/dev/null 2>&1; do
  if [ $(( $(date +%s) - started )) -ge "$timeout" ]; then
    echo "mesos-cluster: $unit is not ready after ${timeout}s (its health check: $*); its last log lines:" >&2
    journalctl -u "$unit" -n 20 --no-pager >&2 2>/dev/null || docker logs --tail 20 "$container" >&2 || true
    exit 1
  fi
  sleep 2
done
cp "$tmp/emitted" "$state/files"
printf '%s\n' "$want" > "$state/applied"
echo "$unit: $(systemctl is-active "$unit"), ready after $(( $(date +%s) - started ))s (changed=$changed)"
