import { ClusterConfig, ConfigError, CONFIG_NAMESPACE } from "./config";

/** The services this program places on hosts. */
export type ServiceKind = "registry" | "zookeeper" | "mesos-master" | "mesos-agent" | "marathon" | "chronos" | "bamboo";

/**
 * Short labels used in container and resource names. None starts with `mesos-`: a Mesos
 * agent's Docker containerizer kills every container so named as its own.
 */
export const SERVICE_LABEL: Record<ServiceKind, string> = {
    registry: "registry",
    zookeeper: "zookeeper",
    "mesos-master": "master",
    "mesos-agent": "agent",
    marathon: "marathon",
    chronos: "chronos",
    bamboo: "bamboo",
};

/**
 * Start order: a service starts once every service of the tiers below is ready, on every
 * host. The registry (the others' images may come from it) ◄ ZooKeeper ◄ Mesos masters ◄
 * agents, Marathon, Chronos ◄ Bamboo (it reads Marathon's apps and events).
 */
export const SERVICE_TIER: Record<ServiceKind, number> = {
    registry: 0,
    zookeeper: 1,
    "mesos-master": 2,
    "mesos-agent": 3,
    marathon: 3,
    chronos: 3,
    bamboo: 4,
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
    /** Hosts running Bamboo with HAProxy, sorted by name; none without routing. */
    readonly bambooHosts: readonly Host[];
    /** The cluster's Docker registry, when one is configured. */
    readonly registry?: ClusterRegistry;
    /**
     * Where hosts pull the cluster's images from (`host[:port][/path]`): the cluster's registry,
     * an outside one, or "" when the hosts' engines already have them.
     */
    readonly imageRegistry: string;
    readonly ports: {
        readonly master: number;
        readonly agent: number;
        readonly agentTasks: { readonly first: number; readonly last: number };
        readonly marathon: number;
        readonly chronos: number;
        readonly chronosLibprocess: number;
        readonly bamboo: number;
        readonly haproxyHttp: number;
        /** Marathon's service ports, which HAProxy binds on Bamboo hosts. */
        readonly service: { readonly first: number; readonly last: number };
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

/** The cluster's own Docker registry. */
export interface ClusterRegistry {
    readonly host: Host;
    readonly port: number;
    /** `address:port`: how engines name it in image references. */
    readonly address: string;
    /** The PEM certificate it serves TLS with; "" for plain HTTP. Its key is a secret, not here. */
    readonly certificate: string;
    /** htpasswd authentication with a generated password. */
    readonly auth: boolean;
    /** The user of htpasswd authentication. */
    readonly user: string;
}

export const REGISTRY_USER = "mesos-cluster";

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

type Range = { first: number; last: number };

function portBindings(services: readonly ServiceKind[], c: ClusterConfig, tasks: Range, service: Range): PortBinding[] {
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
        bamboo: [
            one("bamboo", c.bambooPort, "bambooPort"),
            one("bamboo", c.haproxyHttpPort, "haproxyHttpPort"),
            { service: "bamboo", first: service.first, last: service.last, key: key("servicePorts") },
        ],
        registry: [one("registry", c.registryPort, "registryPort")],
    };
    return services.flatMap((s) => byService[s]);
}

function portRange(text: string, rangeKey: string, problems: string[]): Range {
    const [first, last] = text.split("-").map(Number);
    if (!(first >= 1 && last <= 65535 && first <= last)) {
        problems.push(`${key(rangeKey)}: "${text}" is not a range of ports LOW-HIGH with 1 <= LOW <= HIGH <= 65535`);
    }
    return { first, last };
}

/**
 * Hosts of a list whose entries may name a host listed before (`known`) instead of giving an
 * address again. `what`: how a known host is described; `role`: what this list runs.
 */
function resolveHosts(
    entries: readonly { name: string; address?: string }[],
    listKey: string,
    known: ReadonlyMap<string, Host>,
    what: string,
    role: string,
    problems: string[],
    indexed = true,
): Host[] {
    const hosts: Host[] = [];
    entries.forEach((e, i) => {
        const where = `${key(listKey)}${indexed ? `[${i}]` : ""}`;
        const other = known.get(e.name);
        if (e.address === undefined) {
            if (other === undefined) {
                problems.push(`${where}: "${e.name}" has no address and is not ${what}; write it as "${e.name}=ADDRESS" or name ${what}`);
                return;
            }
            hosts.push(other);
        } else if (other !== undefined && other.address !== e.address) {
            problems.push(`${where}: "${e.name}" is ${what} at ${other.address} but listed here at ${e.address}; write just "${e.name}" to run ${role} on that host`);
        } else {
            hosts.push(other ?? { name: e.name, address: e.address });
        }
    });
    return hosts;
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
                    // Name the key that can move: fixed ports cannot.
                    const [moved, kept] = b.key.endsWith("(fixed)") ? [a, b] : [b, a];
                    const text = `${moved.key}: ${moved.service}'s ${rangeText(moved)} clashes with ${kept.service}'s ${rangeText(kept)} (${kept.key})`;
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
    const agents = resolveHosts(agentEntries, "agents", masterByName, "a master", "an agent", problems);
    // Where each host was first listed, for messages about it.
    const byName = new Map<string, Host>();
    const listedIn = new Map<string, string>();
    const add = (hs: readonly Host[], listKey: string) => {
        for (const h of hs) {
            byName.set(h.name, h);
            listedIn.set(h.name, listedIn.get(h.name) ?? listKey);
        }
    };
    add([...masterByName.values()], "masters");
    add(agents, "agents");
    const bambooHosts = resolveHosts(parseHosts(c.bambooHosts, "bambooHosts", problems), "bambooHosts", new Map(byName), "a master or agent", "Bamboo", problems);
    add(bambooHosts, "bambooHosts");
    const registryHost =
        c.registryHost === ""
            ? undefined
            : resolveHosts(parseHosts([c.registryHost], "registryHost", problems), "registryHost", new Map(byName), "a host of the cluster", "the registry", problems, false)[0];
    if (registryHost !== undefined) {
        add([registryHost], "registryHost");
    }

    const hosts = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const byAddress = new Map<string, string>();
    // In listing order, so that the message names the list of the later entry.
    for (const h of byName.values()) {
        const other = byAddress.get(h.address);
        if (other !== undefined) {
            problems.push(
                `${key(listedIn.get(h.name) as string)}: hosts "${other}" and "${h.name}" share address ${h.address}; each host needs its own address (give a host's name alone to run more services on it)`,
            );
        }
        byAddress.set(h.address, h.name);
    }

    if (c.runtime === "docker" && c.engine === "local" && hosts.length > 1) {
        problems.push(`${key("engine")}: "local" runs every container on this machine's one Docker engine, but ${hosts.length} hosts are listed; set engine to "ssh" for a multi-host stack`);
    }

    const tasks = portRange(c.agentTaskPorts, "agentTaskPorts", problems);
    const servicePorts = portRange(c.servicePorts, "servicePorts", problems);
    if (c.containerPrefix.startsWith("mesos-")) {
        problems.push(`${key("containerPrefix")}: "${c.containerPrefix}" makes container names start with "mesos-", and a Mesos agent's Docker containerizer kills every such container as its own; choose another prefix`);
    }

    const masters = hosts.filter((h) => masterByName.has(h.name));
    const agentNames = new Set(agents.map((a) => a.name));
    const bambooNames = new Set(bambooHosts.map((b) => b.name));
    const sortedAgents = hosts.filter((h) => agentNames.has(h.name));
    const placements = hosts.map((host) => {
        const services: ServiceKind[] = [];
        if (registryHost?.name === host.name) {
            services.push("registry");
        }
        if (masterByName.has(host.name)) {
            services.push("zookeeper", "mesos-master", "marathon", "chronos");
        }
        if (agentNames.has(host.name)) {
            services.push("mesos-agent");
        }
        if (bambooNames.has(host.name)) {
            services.push("bamboo");
        }
        return { host, services, ports: portBindings(services, c, tasks, servicePorts) };
    });
    problems.push(...portClashes(placements));

    if (problems.length > 0) {
        throw new ConfigError(problems);
    }

    const ensemble = masters.map((host, i) => ({ id: i + 1, host }));
    const registry: ClusterRegistry | undefined =
        registryHost === undefined
            ? undefined
            : {
                  host: registryHost,
                  port: c.registryPort,
                  address: `${registryHost.address}:${c.registryPort}`,
                  certificate: c.registryTlsCertificate,
                  auth: c.registryAuth,
                  user: REGISTRY_USER,
              };
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
            agentTasks: tasks,
            marathon: c.marathonPort,
            chronos: c.chronosPort,
            chronosLibprocess: c.chronosLibprocessPort,
            bamboo: c.bambooPort,
            haproxyHttp: c.haproxyHttpPort,
            service: servicePorts,
        },
        bambooHosts: hosts.filter((h) => bambooNames.has(h.name)),
        registry,
        imageRegistry: registry?.address ?? c.registry,
        agentAttributes: c.agentAttributes,
        agentResources: { cpus: c.agentCpus, memoryMb: c.agentMemoryMb },
        executorRegistrationTimeout: c.executorRegistrationTimeout,
        authentication: c.authentication,
        readinessTimeoutSeconds: c.readinessTimeoutSeconds,
        mail: { server: c.chronosMailServer, user: c.chronosMailUser, from: c.chronosMailFrom, ssl: c.chronosMailSsl, password: c.chronosMailPassword },
        placements,
    };
}
