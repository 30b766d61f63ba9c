#!/bin/sh
# The agent's image is also its executors' image (--docker_mesos_image): for each Docker task the
# agent starts a container of this image whose arguments are the executor's path and flags, with
# no entrypoint of its own (apache/mesos 1.7.1 src/slave/containerizer/docker.cpp L379-392: shell
# false, value launcher_dir/mesos-docker-executor; src/docker/docker.cpp L956-990: an entrypoint
# only for a shell). Upstream's entrypoint, mesos-slave, would take them as its own flags and refuse
# the first (mesosphere-backup/docker-containers issue 84): that command is run as it is instead.
set -eu
case "${1:-}" in
    /*/mesos-docker-executor)
        exec "$@"
        ;;
esac
exec "${MESOS_SLAVE:-mesos-slave}" "$@"
