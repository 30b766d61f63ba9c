# shellcheck shell=bash
# Sourced by docker-engine.sh and systemd-hosts.sh: a Debian bookworm root filesystem made with
# debootstrap from the mirror this machine's apt already uses, for `docker import`.

# The Debian mirror of this machine's apt sources.
mirror() {
    local uri
    uri=$(grep -rhoE '^(URIs:|deb) +https?://[^ ]+' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null |
        awk '{print $2}' | grep -E '/debian/?$' | head -n1)
    echo "${uri:-http://deb.debian.org/debian}"
}

# make_rootfs [PACKAGES]: debootstraps a minbase bookworm (plus comma-separated PACKAGES) into a
# new folder and prints its path. Apt's package lists are left out, as in the slim images.
make_rootfs() {
    local include=${1:-} rootfs
    command -v debootstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null; }
    rootfs=$(mktemp -d /var/tmp/rootfs.XXXXXX)
    # mktemp makes the folder 0700, and it becomes the image's /: non-root users could not read it.
    chmod 0755 "$rootfs"
    debootstrap --variant=minbase ${include:+--include=$include} bookworm "$rootfs" "$(mirror)" >"$rootfs.log" 2>&1 ||
        { tail -n 30 "$rootfs.log" >&2; rm -rf "$rootfs" "$rootfs.log"; return 1; }
    rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs.log"
    echo "$rootfs"
}
