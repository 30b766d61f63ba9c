# shellcheck shell=sh
# A unit's delete step, run on its host as root by the systemd runtime (systemd.ts) as
#   sh -c "$(this program)" mesos-cluster UNIT PATH...
# Everything down to `set -eu` is for readers and ShellCheck, and is not sent (unit-create.sh).
#
# It stops and disables the unit and removes the files it was given (PATH...) and those the last
# create step recorded, and the unit's state; data directories stay.
set -eu
unit=$1
shift
state=/var/lib/mesos-cluster/units/$unit
systemctl disable --now "$unit" 2>/dev/null || true
rm -f "$@"
if [ -f "$state/files" ]; then
  while read -r old; do rm -f "$old"; done < "$state/files"
fi
rm -rf "$state"
systemctl daemon-reload
systemctl reset-failed "$unit" 2>/dev/null || true
echo "$unit: removed"
