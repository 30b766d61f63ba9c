/**
 * Derives the whole cluster layout from the validated config: which hosts run which services
 * (each service says on which list's hosts), the ports they bind, and the values every service
 * shares (ZooKeeper ids and URLs, the quorum, the registry).
 */
import { ClusterConfig, ConfigError, ConfigReading, crossKeyProblems, fullKey, mentions, redact } from "../config";
import { resolveRoles } from "./hosts";
import { portClashes } from "./ports";
import { ClusterRegistry, Host, PlacedService, Placement, PortBinding, REGISTRY_USER, Topology, ZOOKEEPER_CLIENT_PORT, batchSizeOf, parseRange, quorumOf } from "./types";

export * from "./types";

/**
 * The SSH port the program reaches every host on, when it does (the systemd runtime, or the
 * docker runtime's engines over SSH): no service may bind it there.
 */
function sshPorts(c: ClusterConfig): PortBinding[] {
    return c.runtime === "systemd" || c.engine === "ssh"
        ? [{ first: c.sshPort, last: c.sshPort, key: `${fullKey("sshPort")}, where the program reaches the host over SSH`, service: "sshd", fixed: "host" }]
        : [];
}

/** What runs on each host, in the order the services are listed. */
function place(hosts: readonly Host[], roles: Topology["roles"], c: ClusterConfig, services: readonly PlacedService[]): Placement[] {
    return hosts.map((host) => {
        const here = services.filter((s) => roles[s.runsOn].some((h) => h.name === host.name));
        return {
            host,
            services: here.map((s) => s.name),
            ports: here.flatMap((s) => s.ports(c).map((p) => ({ ...p, service: s.name }))),
        };
    });
}

/**
 * The layout of a reading of the config, or one ConfigError that lists every problem at once:
 * each key's own, those that span keys, and those of hosts and ports.
 */
export function topologyOf(reading: ConfigReading, services: readonly PlacedService[]): Topology {
    const c = reading.config;
    const derived = crossKeyProblems(c);
    const { hosts, roles } = resolveRoles(c, derived, reading.invalid);
    const placements = place(hosts, roles, c, services);
    derived.push(...portClashes(placements, sshPorts(c)));
    // A rule that read a refused key read its default instead: what it found says nothing.
    const problems = [...reading.problems, ...derived.filter((p) => ![...reading.invalid].some((k) => mentions(p, k)))];
    // No message shows a value set with --secret.
    if (problems.length > 0) {
        throw new ConfigError(redact(problems, reading.secretTexts));
    }
    return derive(c, hosts, roles, placements);
}

/** The values every service shares, from hosts and placements that have no problem. */
function derive(c: ClusterConfig, hosts: Host[], roles: Topology["roles"], placements: Placement[]): Topology {
    const masters = roles.masters;
    const registryHost = roles.registryHost[0];
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
        config: c,
        masters,
        agents: roles.agents,
        hosts,
        roles,
        ensemble: masters.map((host, i) => ({ id: i + 1, host })),
        quorum: quorumOf(masters.length),
        zkHosts,
        mesosZkUrl: `zk://${zkHosts}/mesos`,
        marathonZkUrl: `zk://${zkHosts}/marathon`,
        registry,
        imageRegistry: registry?.address ?? c.registry,
        agentBatchSize: batchSizeOf(c.agentBatchSize, roles.agents.length),
        ranges: { agentTasks: parseRange(c.agentTaskPorts), service: parseRange(c.servicePorts) },
        placements,
    };
}
