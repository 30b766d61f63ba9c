import { ServiceDescriptor } from "../service";
import { ServiceSpec, secretRef } from "../spec";
import { Host, Topology, ZOOKEEPER_CLIENT_PORT, ZOOKEEPER_ELECTION_PORT, ZOOKEEPER_PEER_PORT } from "../topology/types";
import { ZOOKEEPER_SUPER_PASSWORD, zookeeperAcls } from "./credentials";
import { configFile, dataVolume, fixedPort, specBase } from "./common";

const NAME = "zookeeper";
/** Debian bookworm's `zookeeper` package. */
const VERSION = "3.8";

/** Where the image's entrypoint (as root) reads the password of the superuser that changes the membership. */
export const ZOOKEEPER_SUPER_PASSWORD_FILE = "/etc/zookeeper/super-password";
const CONF_DIR = "/var/lib/zookeeper/conf";
/** Where the entrypoint reads the protected paths and their users' digests. */
export const ZOOKEEPER_ACL_FILE = "/etc/zookeeper/acls";

/**
 * The `server.N` lines, identical on every member, in the dynamic configuration's form (with the
 * role). The client address is the member's own (`;host:2181`, not `;2181`) so each member binds
 * only its advertised address, as every other service does; with `;2181` ZooKeeper binds the
 * wildcard.
 */
export function zookeeperServers(t: Topology): string[] {
    return t.ensemble.map(
        (m) => `server.${m.id}=${m.host.address}:${ZOOKEEPER_PEER_PORT}:${ZOOKEEPER_ELECTION_PORT}:participant;${m.host.address}:${ZOOKEEPER_CLIENT_PORT}`,
    );
}

function spec(t: Topology, host: Host): ServiceSpec {
    const member = t.ensemble.find((m) => m.host.name === host.name);
    if (member === undefined) {
        throw new Error(`host "${host.name}" is not a master, so it runs no ZooKeeper`);
    }
    return {
        ...specBase(t, host, NAME, VERSION),
        args: [],
        // The image's entrypoint renders zoo.cfg and myid from these; ZOO_SERVERS seeds the
        // membership when the ensemble is formed, and says which members to add and remove later.
        env: {
            // What the checks need, nothing more: srvr (the mode), ruok (up), conf (the members
            // read each other's membership: a joiner, the readiness check).
            ZOO_4LW_COMMANDS_WHITELIST: "ruok,srvr,conf",
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
            // zoo.cfg and the dynamic membership ZooKeeper keeps beside it: the ensemble's record.
            dataVolume(t, host, NAME, "conf", CONF_DIR),
        ],
        files: [
            configFile(t, host, NAME, ZOOKEEPER_SUPER_PASSWORD_FILE, secretRef(ZOOKEEPER_SUPER_PASSWORD)),
            // With authentication, the services' paths are writable by their own users alone.
            ...(t.config.authentication ? [configFile(t, host, NAME, ZOOKEEPER_ACL_FILE, zookeeperAcls())] : []),
        ],
        health: {
            endpoints: [{ kind: "zookeeper", address: host.address, port: ZOOKEEPER_CLIENT_PORT }],
            // Back in the quorum with its membership settled, or up while no member serves (an
            // ensemble being formed, one member at a time): see the image's entrypoint.
            command: ["zookeeper-entrypoint", "health"],
            timeoutSeconds: t.config.readinessTimeoutSeconds,
        },
    };
}

/**
 * The zoo.cfg the image's entrypoint renders from a spec's environment, line for line (the
 * real-image test compares the two), and the dynamic file it seeds a new ensemble with. For
 * review: hosts receive the environment, not these files.
 */
export function renderZooCfg(s: ServiceSpec): { static: string; seed: string } {
    const env = s.env;
    return {
        static: [
            `tickTime=${env.ZOO_TICK_TIME}`,
            `initLimit=${env.ZOO_INIT_LIMIT}`,
            `syncLimit=${env.ZOO_SYNC_LIMIT}`,
            "dataDir=/var/lib/zookeeper/data",
            "dataLogDir=/var/lib/zookeeper/datalog",
            `4lw.commands.whitelist=${env.ZOO_4LW_COMMANDS_WHITELIST}`,
            `admin.enableServer=${env.ZOO_ADMIN_SERVER_ENABLED}`,
            "standaloneEnabled=false",
            "reconfigEnabled=true",
            `dynamicConfigFile=${CONF_DIR}/zoo.cfg.dynamic.seed`,
            "",
        ].join("\n"),
        seed: [...env.ZOO_SERVERS.split(" "), ""].join("\n"),
    };
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
