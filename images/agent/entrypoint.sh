#!/bin/sh
# The agent's image is also its executors' image (--docker_mesos_image): for each Docker task the
# agent starts a container of this image whose arguments are the executor's path and flags, with
# no entrypoint of its own (apache/mesos 1.7.1 src/slave/containerizer/docker.cpp L379-392: shell
# false, value launcher_dir/mesos-docker-executor; src/docker/docker.cpp L956-990: an entrypoint
# only for a shell). Upstream's entrypoint, mesos-slave, would take them as its own flags and refuse
# the first (mesosphere-backup/docker-containers issue 84): that command is run as it is instead.
#
# Both run `docker` against the host's engine, and Mesos 1.7.1 reads every task image's
# ContainerConfig.Entrypoint from `docker inspect` and fails the task without it (src/docker/docker.cpp
# Docker::Image::create). Engines drop that field at API 1.45 and above, and always with the
# containerd image store (docker/cli#6098; moby 26.0). So, before either starts: an engine whose API
# goes past 1.44 is spoken to at 1.44 (Engine 29 accepts no less: its minimum is 1.44), and an
# engine on the containerd image store is refused, with the fix.
set -eu
DOCKER=${DOCKER:-docker}
say() { echo "agent-entrypoint: $*" >&2; }

api=$("$DOCKER" version --format '{{.Server.APIVersion}}' 2>/dev/null) || api=
if [ -z "$api" ]; then
    say "the Docker engine does not answer on its socket (/var/run/docker.sock); Mesos's Docker containerizer needs it"
    exit 69
fi
if awk -v a="$api" 'BEGIN { split(a, v, "."); exit !(v[1] > 1 || (v[1] == 1 && v[2] > 44)) }'; then
    DOCKER_API_VERSION=1.44
    export DOCKER_API_VERSION
    say "the engine speaks Docker API $api; using 1.44, the last that returns what Mesos 1.7.1 reads of an image"
fi
if "$DOCKER" info --format '{{.DriverStatus}}' 2>/dev/null | grep -q 'io.containerd.snapshotter'; then
    say "this host's Docker engine stores images in containerd, whose image inspect lacks the ContainerConfig every Mesos 1.7.1 task needs;"
    say "turn it off (\"features\": {\"containerd-snapshotter\": false} in /etc/docker/daemon.json, then restart docker and pull the images again)"
    exit 78
fi

case "${1:-}" in
    /*/mesos-docker-executor)
        exec "$@"
        ;;
esac

# Mesos 1.7.1's cgroups isolators and its Linux launcher mount and use cgroup v1 hierarchies only
# (src/linux/cgroups.cpp hierarchies(): mounts of type "cgroup"); on a cgroup v2 host (Debian 11+,
# Ubuntu 21.10+ by default) an agent with them exits at start and its unit restarts it forever.
# The Docker containerizer runs there: its update at launch finds no v1 hierarchy and no v1 line
# in /proc/PID/cgroup, warns and goes on (src/slave/containerizer/docker.cpp L1794-1850,
# src/linux/cgroups.cpp L1719-1755, which skips the v2 line), and Docker itself gives each task the
# CPU and memory it asked for (docker run --cpu-shares, --memory: src/docker/docker.cpp L640-662,
# L1012-1024). So the isolation is chosen here, per host, and said in the agent's log: on cgroup
# v1, what the program asked; on v2, Docker tasks only, posix isolation, posix launcher.
cgroups=$(stat -fc %T "${CGROUP_ROOT:-/sys/fs/cgroup}" 2>/dev/null) || cgroups=unknown
if [ "$cgroups" = cgroup2fs ]; then
    for arg do
        shift
        case "$arg" in
            --isolation=*) arg=--isolation=posix/cpu,posix/mem ;;
            --containerizers=*) arg=--containerizers=docker ;;
            --launcher=*) continue ;;
        esac
        set -- "$@" "$arg"
    done
    set -- "$@" --launcher=posix
    say "this host runs cgroup v2 (${CGROUP_ROOT:-/sys/fs/cgroup} is cgroup2fs): Docker tasks only (--containerizers=docker), isolation posix/cpu,posix/mem, launcher posix;"
    say "Docker limits each task's CPU and memory itself. Tasks without a Docker image (the Mesos containerizer), cgroups isolation and per-task usage statistics need cgroup v1 (systemd.unified_cgroup_hierarchy=0 on the kernel command line, systemd before 256)"
else
    for arg in "$@"; do
        case "$arg" in
            --isolation=*) say "isolation ${arg#--isolation=} on cgroup v1 ($cgroups at ${CGROUP_ROOT:-/sys/fs/cgroup})" ;;
        esac
    done
fi
exec "${MESOS_SLAVE:-mesos-slave}" "$@"
