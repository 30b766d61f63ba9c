/**
 * Derives the whole cluster layout from the validated config: which hosts run which services
 * (each service's descriptor says on which list's hosts), the ports they bind, and the values
 * every service shares (ZooKeeper ids and URLs, the quorum, the registry).
 */
import { ClusterConfig, ConfigError, crossKeyProblems } from "../config";
import { ServiceDescriptor } from "../service";
import { SERVICES } from "../services";
import { resolveRoles } from "./hosts";
import { portClashes } from "./ports";
import { ClusterRegistry, Host, Placement, REGISTRY_USER, Topology, ZOOKEEPER_CLIENT_PORT, batchSizeOf, parseRange, quorumOf } from "./types";

export * from "./types";

/** What runs on each host, in the order the services are listed. */
function place(hosts: readonly Host[], roles: Topology["roles"], c: ClusterConfig, services: readonly ServiceDescriptor[]): Placement[] {
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
 * The layout of `c`, or a ConfigError that lists every problem that spans keys or hosts (odd
 * master count, duplicate hosts, port clashes, ...) at once.
 */
export function buildTopology(c: ClusterConfig, services: readonly ServiceDescriptor[] = SERVICES): Topology {
    const problems = crossKeyProblems(c);
    const { hosts, roles } = resolveRoles(c, problems);
    const placements = place(hosts, roles, c, services);
    problems.push(...portClashes(placements));
    if (problems.length > 0) {
        throw new ConfigError(problems);
    }

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
