#!/bin/bash
# Starts mesos-master with the arguments it is given, once it is safe to start it with their
# --quorum. Mesos's replicated log has no online reconfiguration; its operational guide
# (docs/operational-guide.md at 1.7.1) gives the only safe orders for changing the quorum:
# - up by one: restart the original masters with the new quorum, then start the new ones;
#   up by more: repeat, one step of the quorum at a time;
# - down: first remove the masters that go and make sure they do not come back, then restart
#   the others with the new quorum ("If additional masters are running, this violates the
#   quorum and the log may be corrupted!");
# - from a single master: only by wiping the replicated log.
# Each start records the masters and the quorum it started with in the work_dir; the next start
# compares, and refuses (exit 64, with the safe steps) a change that breaks those orders.
#   MASTERS    every master's host:port, comma-separated (the program derives it)
set -eu

die() { echo "mesos-cluster master: $*" >&2; exit 64; }

quorum="" work_dir=""
for arg in "$@"; do
    case "$arg" in
        --quorum=*) quorum=${arg#--quorum=} ;;
        --work_dir=*) work_dir=${arg#--work_dir=} ;;
    esac
done
{ [ -n "$quorum" ] && [ -n "$work_dir" ]; } || die "needs --quorum= and --work_dir= among its arguments"
: "${MASTERS:?set MASTERS to the host:port of every master, comma-separated}"
record="$work_dir/mesos-cluster-masters"

# Whether a master answers its health endpoint (bash alone: the image has no curl).
answers() {
    local host=${1%:*} port=${1##*:}
    (exec 3<>"/dev/tcp/$host/$port" && printf 'GET /master/health HTTP/1.0\r\nHost: %s\r\n\r\n' "$host" >&3 &&
        timeout 5 head -n 1 <&3 | grep -q ' 200 ') 2>/dev/null
}

if [ -f "$record" ]; then
    was_quorum=$(sed -n 's/^RECORDED_QUORUM=//p' "$record")
    was_masters=$(sed -n 's/^RECORDED_MASTERS=//p' "$record")
    case "$was_quorum" in '' | *[!0-9]*) die "$record holds no quorum; remove it to start afresh" ;; esac
    if [ "$was_quorum" = 1 ] && [ "$quorum" -gt 1 ] && [ -d "$work_dir/replicated_log" ]; then
        die "this master ran alone (--quorum=1) and would start with --quorum=$quorum: Mesos can move out of a single master only by wiping the replicated log, which loses the registry (agents, maintenance, quota). If that is acceptable: stop this master, remove $work_dir/replicated_log and $record, and run \`pulumi up\` again."
    fi
    if [ "$quorum" -gt $((was_quorum + 1)) ]; then
        die "this master ran with --quorum=$was_quorum and would start with --quorum=$quorum; the quorum can grow by one at a time only. Add two masters at a time: put back the masters list of the last \`pulumi up\`, add two, \`pulumi up\`, and repeat."
    fi
    if [ "$quorum" -lt "$was_quorum" ]; then
        running=""
        for m in ${was_masters//,/ }; do
            case ",$MASTERS," in *",$m,"*) continue ;; esac
            if answers "$m"; then running="${running:+$running }$m"; fi
        done
        if [ -n "$running" ]; then
            die "this master would start with --quorum=$quorum, but masters it no longer lists still run with --quorum=$was_quorum: $running. Both quorums at once can corrupt the replicated log (Mesos operational guide, decreasing the quorum). Safe steps: 1) remove those masters first, and nothing else: find their URNs with \`pulumi stack --show-urns\` (the resources named mesos-master-<host>-unit or -container) and run \`pulumi up --target URN\` for each, which deletes just them; 2) run \`pulumi up\` again: the remaining masters restart with --quorum=$quorum one at a time."
        fi
    fi
fi
mkdir -p "$work_dir"
printf 'RECORDED_QUORUM=%s\nRECORDED_MASTERS=%s\n' "$quorum" "$MASTERS" > "$record.new"
mv -f "$record.new" "$record"
exec "${MESOS_MASTER:-mesos-master}" "$@"
