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

# Mesos 1.7.1's cgroups isolators mount and use cgroup v1 hierarchies only (src/linux/cgroups.cpp);
# on a cgroup v2 host (Debian 11+, Ubuntu 21.10+ by default) the agent exits at start and its unit
# restarts it forever. Said once, with the fix, instead.
cgroups=$(stat -fc %T "${CGROUP_ROOT:-/sys/fs/cgroup}" 2>/dev/null) || cgroups=unknown
for arg in "$@"; do
    case "$arg" in
        --isolation=*cgroups/*)
            if [ "$cgroups" = cgroup2fs ]; then
                say "this host runs cgroup v2 (${CGROUP_ROOT:-/sys/fs/cgroup} is cgroup2fs), and Mesos 1.7.1's cgroups isolators ($arg) need cgroup v1;"
                say "boot it with systemd.unified_cgroup_hierarchy=0 on the kernel command line (systemd before 256), or run the agents on hosts with cgroup v1"
                exit 78
            fi
            say "isolation ${arg#--isolation=} on cgroup v1 ($cgroups at ${CGROUP_ROOT:-/sys/fs/cgroup})"
            ;;
    esac
done
exec "${MESOS_SLAVE:-mesos-slave}" "$@"
