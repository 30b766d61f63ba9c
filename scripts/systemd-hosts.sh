#!/usr/bin/env bash
# Systemd hosts reachable over real SSH, on loopback addresses of this machine, for the e2e test.
# Each host is a container running systemd and sshd on the host network, bound to its own
# address, driving the machine's one Docker engine through its socket.
#   scripts/systemd-hosts.sh image                          build local/systemd-host:bookworm
#   scripts/systemd-hosts.sh start NAME ADDRESS ROOT PUBKEY  start a host; ROOT is mounted at the same path
#   scripts/systemd-hosts.sh stop NAME...                   remove hosts
# Needs root, Debian's mirror, and the engine from scripts/docker-engine.sh.
set -euo pipefail

IMAGE=local/systemd-host:bookworm
log() { echo "systemd-hosts: $*" >&2; }
# shellcheck source=scripts/rootfs.sh
. "$(dirname "$0")/rootfs.sh"

build_image() {
    if docker image inspect "$IMAGE" >/dev/null 2>&1; then
        return 0
    fi
    local rootfs
    log "debootstrap a systemd host"
    rootfs=$(make_rootfs systemd,systemd-sysv,openssh-server,dbus,iproute2,netcat-openbsd)
    # Host keys are made per host at start; the first boot's ssh.service fails without them.
    rm -f "$rootfs"/etc/ssh/ssh_host_*
    # The hosts share this machine's engine through its socket; this unit stands for that
    # engine being up, so that units with Requires=docker.service start as on a real host.
    cat >"$rootfs/etc/systemd/system/docker.service" <<'UNIT'
[Unit]
Description=Docker engine (this machine's, shared through its socket)
[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/bin/docker version --format {{.Server.Version}}
[Install]
WantedBy=multi-user.target
UNIT
    mkdir -p "$rootfs/etc/systemd/system/multi-user.target.wants"
    ln -sf /etc/systemd/system/docker.service "$rootfs/etc/systemd/system/multi-user.target.wants/docker.service"
    tar -C "$rootfs" -c . | docker import -c 'CMD ["/sbin/init"]' - "$IMAGE" >/dev/null
    rm -rf "$rootfs"
    log "imported $IMAGE"
}

start_host() {
    local name=$1 address=$2 root=$3 pubkey=$4
    mkdir -p "$root"
    docker rm -f "$name" >/dev/null 2>&1 || true
    docker run -d --name "$name" --hostname "$name" --net host --cap-add SYS_ADMIN \
        --tmpfs /run --tmpfs /run/lock -v /sys/fs/cgroup:/sys/fs/cgroup:ro \
        -v /var/run/docker.sock:/var/run/docker.sock -v /usr/bin/docker:/usr/bin/docker:ro \
        -v "$root:$root" "$IMAGE" /sbin/init >/dev/null
    for _ in $(seq 1 60); do
        docker exec "$name" systemctl is-system-running 2>/dev/null | grep -Eq 'running|degraded' && break
        sleep 0.5
    done
    docker exec "$name" bash -c "ssh-keygen -A >/dev/null; echo 'ListenAddress $address' >/etc/ssh/sshd_config.d/listen.conf;
        mkdir -p /root/.ssh; chmod 700 /root/.ssh; systemctl reset-failed ssh; systemctl restart ssh"
    docker exec -i "$name" sh -c 'cat > /root/.ssh/authorized_keys; chmod 600 /root/.ssh/authorized_keys' <"$pubkey"
    log "$name up on $address"
}

case "${1:-}" in
    image) build_image ;;
    start) shift; start_host "$@" ;;
    stop)
        shift
        for name in "$@"; do docker rm -f "$name" >/dev/null 2>&1 || true; done
        ;;
    *) echo "usage: $0 image | start NAME ADDRESS ROOT PUBKEY | stop NAME..." >&2; exit 2 ;;
esac
