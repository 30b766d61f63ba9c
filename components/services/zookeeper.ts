import { ServiceDescriptor } from "../service";
import { ServiceSpec } from "../spec";
import { Host, Topology, ZOOKEEPER_CLIENT_PORT, ZOOKEEPER_ELECTION_PORT, ZOOKEEPER_PEER_PORT } from "../topology/types";
import { dataVolume, fixedPort, specBase } from "./common";

const NAME = "zookeeper";
/** Debian bookworm's `zookeeper` package. */
const VERSION = "3.8";

/**
 * The `server.N` lines, identical on every member. The client address is the member's own
 * (`;host:2181`, not `;2181`) so each member binds only its advertised address, as every other
 * service does; with `;2181` ZooKeeper binds the wildcard and refuses a `clientPortAddress`.
 */
export function zookeeperServers(t: Topology): string[] {
    return t.ensemble.map((m) => `server.${m.id}=${m.host.address}:${ZOOKEEPER_PEER_PORT}:${ZOOKEEPER_ELECTION_PORT};${m.host.address}:${ZOOKEEPER_CLIENT_PORT}`);
}

function spec(t: Topology, host: Host): ServiceSpec {
    const member = t.ensemble.find((m) => m.host.name === host.name);
    if (member === undefined) {
        throw new Error(`host "${host.name}" is not a master, so it runs no ZooKeeper`);
    }
    return {
        ...specBase(t, host, NAME, VERSION),
        args: [],
        // The image's entrypoint renders zoo.cfg and myid from these.
        env: {
            ZOO_4LW_COMMANDS_WHITELIST: "ruok,srvr,mntr",
            ZOO_ADMIN_SERVER_ENABLED: "false",
            ZOO_HEAP_MB: String(t.config.zookeeperHeapMb),
            ZOO_INIT_LIMIT: "10",
            ZOO_MY_ID: String(member.id),
            ZOO_SERVERS: zookeeperServers(t).join(" "),
            ZOO_SYNC_LIMIT: "5",
            ZOO_TICK_TIME: "2000",
        },
        volumes: [
            dataVolume(t, host, NAME, "data", "/var/lib/zookeeper/data"),
            dataVolume(t, host, NAME, "datalog", "/var/lib/zookeeper/datalog"),
            dataVolume(t, host, NAME, "log", "/var/log/zookeeper"),
        ],
        files: [],
        health: {
            endpoints: [{ kind: "zookeeper", address: host.address, port: ZOOKEEPER_CLIENT_PORT }],
            // `srvr` names a mode only once the member is in a quorum (see the image's entrypoint).
            command: ["zookeeper-entrypoint", "health"],
            timeoutSeconds: t.config.readinessTimeoutSeconds,
        },
    };
}

/**
 * The zoo.cfg the image's entrypoint renders from a spec's environment, line for line (the
 * real-image test compares the two). For review: hosts receive the environment, not this file.
 */
export function renderZooCfg(s: ServiceSpec): string {
    const env = s.env;
    return [
        `tickTime=${env.ZOO_TICK_TIME}`,
        `initLimit=${env.ZOO_INIT_LIMIT}`,
        `syncLimit=${env.ZOO_SYNC_LIMIT}`,
        "dataDir=/var/lib/zookeeper/data",
        "dataLogDir=/var/lib/zookeeper/datalog",
        `4lw.commands.whitelist=${env.ZOO_4LW_COMMANDS_WHITELIST}`,
        `admin.enableServer=${env.ZOO_ADMIN_SERVER_ENABLED}`,
        "standaloneEnabled=true",
        "reconfigEnabled=false",
        ...env.ZOO_SERVERS.split(" "),
        "",
    ].join("\n");
}

/** A ZooKeeper ensemble member on every master host. */
export const zookeeper: ServiceDescriptor = {
    name: NAME,
    type: "mesos:zookeeper:ZooKeeper",
    tier: 1,
    runsOn: "masters",
    rollout: "one-by-one",
    // The AdminServer (8080) is disabled in the image, so ZooKeeper binds only these.
    ports: () => [
        fixedPort(ZOOKEEPER_CLIENT_PORT, "ZooKeeper client port"),
        fixedPort(ZOOKEEPER_PEER_PORT, "ZooKeeper peer port"),
        fixedPort(ZOOKEEPER_ELECTION_PORT, "ZooKeeper election port"),
    ],
    version: VERSION,
    spec,
};
