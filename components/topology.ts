import { ClusterConfig, ConfigError, CONFIG_NAMESPACE } from "./config";

/** The services this program places on hosts. */
export type ServiceKind = "zookeeper" | "mesos-master" | "mesos-agent" | "marathon" | "chronos";

/**
 * Short labels used in container and resource names. None starts with `mesos-`: a Mesos
 * agent's Docker containerizer kills every container so named as its own.
 */
export const SERVICE_LABEL: Record<ServiceKind, string> = {
    zookeeper: "zookeeper",
    "mesos-master": "master",
    "mesos-agent": "agent",
    marathon: "marathon",
    chronos: "chronos",
};

/**
 * Start order: a service starts once every service of the tiers below is ready, on every
 * host. ZooKeeper ◄ Mesos masters ◄ agents, Marathon, Chronos.
 */
export const SERVICE_TIER: Record<ServiceKind, number> = {
    zookeeper: 0,
    "mesos-master": 1,
    "mesos-agent": 2,
    marathon: 2,
    chronos: 2,
};

/** A machine of the cluster. */
export interface Host {
    readonly name: string;
    /** The routable IPv4 address every service on the host binds and advertises. */
    readonly address: string;
}

/** A ZooKeeper ensemble member: a master host and its stable id. */
export interface ZooKeeperMember {
    readonly id: number;
    readonly host: Host;
}

/** A range of host ports a service binds, and the config key that moves it. */
export interface PortBinding {
    readonly service: ServiceKind;
    readonly first: number;
    readonly last: number;
    readonly key: string;
}

/** What runs on one host. */
export interface Placement {
    readonly host: Host;
    readonly services: readonly ServiceKind[];
    readonly ports: readonly PortBinding[];
}

export const ZOOKEEPER_CLIENT_PORT = 2181;
export const ZOOKEEPER_PEER_PORT = 2888;
export const ZOOKEEPER_ELECTION_PORT = 3888;
/** ZooKeeper ids are one byte in the election protocol's server ids used here. */
export const MAX_ZOOKEEPER_MEMBERS = 255;

/** Everything derived from the host lists. Pure data: no Pulumi, no Docker, no SSH. */
export interface Topology {
    readonly clusterName: string;
    /** The data root as configured; `{host}` stands for a host's name (see dataRootOf). */
    readonly dataRoot: string;
    readonly containerPrefix: string;
    readonly logLevel: string;
    /** Masters, sorted by name; ZooKeeper ids follow this order. */
    readonly masters: readonly Host[];
    /** Agents, sorted by name. */
    readonly agents: readonly Host[];
    /** Every distinct host, sorted by name. */
    readonly hosts: readonly Host[];
    readonly ensemble: readonly ZooKeeperMember[];
    /** Mesos quorum: a strict majority of the masters. */
    readonly quorum: number;
    /** `h1:2181,h2:2181` — the ensemble's connect string (Chronos's `--zk_hosts` form). */
    readonly zkHosts: string;
    /** `zk://h1:2181,.../mesos` for the masters, agents and frameworks. */
    readonly mesosZkUrl: string;
    /** `zk://h1:2181,.../marathon` for Marathon's state. */
    readonly marathonZkUrl: string;
    readonly ports: {
        readonly master: number;
        readonly agent: number;
        readonly agentTasks: { readonly first: number; readonly last: number };
        readonly marathon: number;
        readonly chronos: number;
        readonly chronosLibprocess: number;
    };
    readonly agentAttributes: string;
    /** CPUs and memory (MiB) each agent offers; 0 leaves them to the agent's detection. */
    readonly agentResources: { readonly cpus: number; readonly memoryMb: number };
    readonly executorRegistrationTimeout: string;
    /** How long a deploy waits for each service to be ready. */
    readonly readinessTimeoutSeconds: number;
    /** Framework and agent authentication with generated credentials. */
    readonly authentication: boolean;
    /** Chronos's mail settings; `server` is "" for none. The password is a secret, only flagged here. */
    readonly mail: { readonly server: string; readonly user: string; readonly from: string; readonly ssl: boolean; readonly password: boolean };
    /** Per host, sorted by host name. */
    readonly placements: readonly Placement[];
}

const key = (k: string) => `${CONFIG_NAMESPACE}:${k}`;

/** A host's data root: the configured one, `{host}` replaced by the host's name. */
export function dataRootOf(t: Pick<Topology, "dataRoot">, host: Host): string {
    return t.dataRoot.split("{host}").join(host.name);
}

/** floor(n/2)+1: with n/2, two halves of an even split could both form a quorum. */
export function quorumOf(masterCount: number): number {
    return Math.floor(masterCount / 2) + 1;
}

function parseHosts(entries: readonly string[], listKey: string, problems: string[]): { name: string; address?: string }[] {
    return entries.map((entry) => {
        const [name, address] = entry.split("=");
        return { name, address };
    }).filter((h, i, all) => {
        const first = all.findIndex((o) => o.name === h.name);
        if (first !== i) {
            problems.push(`${key(listKey)}[${i}]: host "${h.name}" is listed twice (also at [${first}]); give each host one entry`);
            return false;
        }
        return true;
    });
}

function portBindings(services: readonly ServiceKind[], c: ClusterConfig, tasks: { first: number; last: number }): PortBinding[] {
    const one = (service: ServiceKind, port: number, k: string): PortBinding => ({ service, first: port, last: port, key: key(k) });
    const fixed = (service: ServiceKind, port: number, what: string): PortBinding => ({ service, first: port, last: port, key: `${what} (fixed)` });
    const byService: Record<ServiceKind, PortBinding[]> = {
        // The AdminServer (8080) is disabled in the image, so ZooKeeper binds only these.
        zookeeper: [
            fixed("zookeeper", ZOOKEEPER_CLIENT_PORT, "ZooKeeper client port"),
            fixed("zookeeper", ZOOKEEPER_PEER_PORT, "ZooKeeper peer port"),
            fixed("zookeeper", ZOOKEEPER_ELECTION_PORT, "ZooKeeper election port"),
        ],
        "mesos-master": [one("mesos-master", c.masterPort, "masterPort")],
        "mesos-agent": [
            one("mesos-agent", c.agentPort, "agentPort"),
            { service: "mesos-agent", first: tasks.first, last: tasks.last, key: key("agentTaskPorts") },
        ],
        marathon: [one("marathon", c.marathonPort, "marathonPort")],
        chronos: [one("chronos", c.chronosPort, "chronosPort"), one("chronos", c.chronosLibprocessPort, "chronosLibprocessPort")],
    };
    return services.flatMap((s) => byService[s]);
}

function rangeText(b: PortBinding): string {
    return b.first === b.last ? `port ${b.first}` : `ports ${b.first}-${b.last}`;
}

/** One message per pair of clashing bindings, naming every host where they clash. */
function portClashes(placements: readonly Placement[]): string[] {
    const clashes = new Map<string, { text: string; hosts: string[] }>();
    for (const { host, ports } of placements) {
        ports.forEach((a, i) => {
            for (const b of ports.slice(i + 1)) {
                if (a.first <= b.last && b.first <= a.last) {
                    const text = `${b.key}: ${b.service}'s ${rangeText(b)} clashes with ${a.service}'s ${rangeText(a)} (${a.key})`;
                    const entry = clashes.get(text) ?? { text, hosts: [] };
                    entry.hosts.push(`"${host.name}"`);
                    clashes.set(text, entry);
                }
            }
        });
    }
    return [...clashes.values()].map((c) => `${c.text} on host${c.hosts.length > 1 ? "s" : ""} ${c.hosts.join(", ")}; move one of them to a free port`);
}

/**
 * Derives the whole cluster layout from the validated config, or throws a ConfigError that
 * lists every problem (odd master count, duplicate hosts, port clashes, ...).
 */
export function buildTopology(c: ClusterConfig): Topology {
    const problems: string[] = [];
    const masterEntries = parseHosts(c.masters, "masters", problems);
    const agentEntries = parseHosts(c.agents, "agents", problems);

    if (masterEntries.length % 2 === 0) {
        problems.push(
            `${key("masters")}: ${masterEntries.length} masters given; the count must be odd (1, 3, 5, 7): an even count survives no more failures than one fewer and risks split brain. Add or remove one master`,
        );
    }
    if (masterEntries.length > MAX_ZOOKEEPER_MEMBERS) {
        problems.push(`${key("masters")}: ${masterEntries.length} masters given; ZooKeeper ids run 1..${MAX_ZOOKEEPER_MEMBERS}, so at most ${MAX_ZOOKEEPER_MEMBERS} masters`);
    }

    const masterByName = new Map(masterEntries.map((m) => [m.name, { name: m.name, address: m.address as string }]));
    const agents: Host[] = [];
    agentEntries.forEach((a, i) => {
        const master = masterByName.get(a.name);
        if (a.address === undefined) {
            if (master === undefined) {
                problems.push(`${key("agents")}[${i}]: "${a.name}" has no address and is not a master; write it as "${a.name}=ADDRESS" or name a master`);
                return;
            }
            agents.push(master);
        } else if (master !== undefined && master.address !== a.address) {
            problems.push(`${key("agents")}[${i}]: "${a.name}" is a master at ${master.address} but listed here at ${a.address}; write just "${a.name}" to run an agent on that master`);
        } else {
            agents.push(master ?? { name: a.name, address: a.address });
        }
    });

    const byName = new Map<string, Host>();
    for (const h of [...masterByName.values(), ...agents]) {
        byName.set(h.name, h);
    }
    const hosts = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const byAddress = new Map<string, string>();
    for (const h of hosts) {
        const other = byAddress.get(h.address);
        if (other !== undefined) {
            problems.push(`${key(masterByName.has(h.name) ? "masters" : "agents")}: hosts "${other}" and "${h.name}" share address ${h.address}; each host needs its own address (name a master in agents to put an agent on it)`);
        }
        byAddress.set(h.address, h.name);
    }

    if (c.runtime === "docker" && c.engine === "local" && hosts.length > 1) {
        problems.push(`${key("engine")}: "local" runs every container on this machine's one Docker engine, but ${hosts.length} hosts are listed; set engine to "ssh" for a multi-host stack`);
    }

    const [first, last] = c.agentTaskPorts.split("-").map(Number);
    if (!(first >= 1 && last <= 65535 && first <= last)) {
        problems.push(`${key("agentTaskPorts")}: "${c.agentTaskPorts}" is not a range of ports LOW-HIGH with 1 <= LOW <= HIGH <= 65535`);
    }
    if (c.containerPrefix.startsWith("mesos-")) {
        problems.push(`${key("containerPrefix")}: "${c.containerPrefix}" makes container names start with "mesos-", and a Mesos agent's Docker containerizer kills every such container as its own; choose another prefix`);
    }

    const masters = hosts.filter((h) => masterByName.has(h.name));
    const agentNames = new Set(agents.map((a) => a.name));
    const sortedAgents = hosts.filter((h) => agentNames.has(h.name));
    const placements = hosts.map((host) => {
        const services: ServiceKind[] = [];
        if (masterByName.has(host.name)) {
            services.push("zookeeper", "mesos-master", "marathon", "chronos");
        }
        if (agentNames.has(host.name)) {
            services.push("mesos-agent");
        }
        return { host, services, ports: portBindings(services, c, { first, last }) };
    });
    problems.push(...portClashes(placements));

    if (problems.length > 0) {
        throw new ConfigError(problems);
    }

    const ensemble = masters.map((host, i) => ({ id: i + 1, host }));
    const zkHosts = masters.map((m) => `${m.address}:${ZOOKEEPER_CLIENT_PORT}`).join(",");
    return {
        clusterName: c.clusterName,
        dataRoot: c.dataRoot,
        containerPrefix: c.containerPrefix,
        logLevel: c.logLevel,
        masters,
        agents: sortedAgents,
        hosts,
        ensemble,
        quorum: quorumOf(masters.length),
        zkHosts,
        mesosZkUrl: `zk://${zkHosts}/mesos`,
        marathonZkUrl: `zk://${zkHosts}/marathon`,
        ports: {
            master: c.masterPort,
            agent: c.agentPort,
            agentTasks: { first, last },
            marathon: c.marathonPort,
            chronos: c.chronosPort,
            chronosLibprocess: c.chronosLibprocessPort,
        },
        agentAttributes: c.agentAttributes,
        agentResources: { cpus: c.agentCpus, memoryMb: c.agentMemoryMb },
        executorRegistrationTimeout: c.executorRegistrationTimeout,
        authentication: c.authentication,
        readinessTimeoutSeconds: c.readinessTimeoutSeconds,
        mail: { server: c.chronosMailServer, user: c.chronosMailUser, from: c.chronosMailFrom, ssl: c.chronosMailSsl, password: c.chronosMailPassword },
        placements,
    };
}
