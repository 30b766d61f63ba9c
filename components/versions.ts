/**
 * Upstream versions the images are pinned to. Each `images/<service>/Dockerfile` names the
 * same version (a test checks it), and the flag tests read `flags/<daemon>-<version>.txt`.
 */
export const VERSIONS = {
    /** Debian bookworm's `zookeeper` package. */
    zookeeper: "3.8",
    mesos: "1.11.0",
    marathon: "1.10.26",
    chronos: "3.0.2",
    /** QubitProducts/bamboo's last release. */
    bamboo: "0.2.21",
    /** Debian bookworm's `docker-registry` package (distribution). */
    registry: "2.8.2",
} as const;
