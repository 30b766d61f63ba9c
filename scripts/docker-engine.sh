#!/usr/bin/env bash
# Gives this machine a Docker engine and the base image the project's Dockerfiles start from,
# without a container registry: Debian's docker.io, dockerd on the vfs driver with host
# networking only, and debian:bookworm-slim made by debootstrap and `docker import`.
# Idempotent: what is already there is kept. Needs root and Debian's package mirror.
#   scripts/docker-engine.sh start   install, start dockerd, make the base image
#   scripts/docker-engine.sh stop    stop the dockerd this script started
#   scripts/docker-engine.sh purge   stop it and remove its images, containers and log (the vfs
#                                    driver copies every layer whole: gigabytes after a test run)
set -euo pipefail

STATE=${DOCKER_ENGINE_STATE:-/var/tmp/mesos-cluster-engine}
PIDFILE=$STATE/dockerd.pid
LOG=$STATE/dockerd.log
# The engine's own data root, so that purge removes what it made and nothing else.
DATA=$STATE/data
BASE_IMAGE=debian:bookworm-slim

log() { echo "docker-engine: $*" >&2; }
# shellcheck source=scripts/rootfs.sh
. "$(dirname "$0")/rootfs.sh"

install_packages() {
    local missing=()
    command -v dockerd >/dev/null || missing+=(docker.io)
    command -v debootstrap >/dev/null || missing+=(debootstrap)
    command -v nc >/dev/null || missing+=(netcat-openbsd)
    # systemd-analyze verifies the rendered units; it needs docker.service and /usr/bin/docker.
    command -v systemd-analyze >/dev/null || missing+=(systemd)
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
}

start_dockerd() {
    if docker info >/dev/null 2>&1; then
        return 0
    fi
    mkdir -p "$STATE"
    log "starting dockerd (log: $LOG)"
    # No bridge and no iptables: containers use the host network only.
    setsid dockerd --storage-driver=vfs --iptables=false --bridge=none --data-root "$DATA" >"$LOG" 2>&1 < /dev/null &
    echo $! > "$PIDFILE"
    for _ in $(seq 1 60); do
        docker info >/dev/null 2>&1 && return 0
        sleep 1
    done
    log "dockerd did not answer within 60 s; its log:"
    tail -n 30 "$LOG" >&2
    exit 1
}

base_image() {
    if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
        return 0
    fi
    local rootfs
    log "debootstrap bookworm for $BASE_IMAGE"
    rootfs=$(make_rootfs "")
    tar -C "$rootfs" -c . | docker import - "$BASE_IMAGE" >/dev/null
    rm -rf "$rootfs"
    log "imported $BASE_IMAGE"
}

case "${1:-start}" in
    start)
        install_packages
        start_dockerd
        base_image
        ;;
    stop | purge)
        if [ -f "$PIDFILE" ]; then
            kill "$(cat "$PIDFILE")" 2>/dev/null || true
            for _ in $(seq 1 30); do
                kill -0 "$(cat "$PIDFILE")" 2>/dev/null || break
                sleep 1
            done
            if kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
                log "dockerd still running after 30 s: killed"
                kill -9 "$(cat "$PIDFILE")" 2>/dev/null || true
                sleep 1
            fi
            rm -f "$PIDFILE"
        fi
        if [ "$1" = purge ]; then
            # Containers' mounts must go before their folders can.
            # The data root itself can be one too (it was: "rm: cannot remove .../data: busy").
            awk -v root="$DATA" '$2 == root || index($2, root "/") == 1 { print $2 }' /proc/mounts 2>/dev/null |
                sort -r | xargs -r -n1 umount -l 2>/dev/null || true
            rm -rf "$STATE"
            log "removed $STATE"
        fi
        ;;
    *)
        echo "usage: $0 start|stop|purge" >&2
        exit 2
        ;;
esac
