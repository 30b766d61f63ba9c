/** What `npm run preflight` expects of each host: read from the services' own specs, as the runtimes deploy them. */
import { CONFIG_NAMESPACE } from "../config";
import { clusterSpecs } from "../services";
import { PortBinding, Topology, dataRootOf } from "../topology/types";

/** A service on a host, as far as the host's readiness for it goes. */
export interface PlannedService {
    readonly service: string;
    /** The container the runtimes run it as (both runtimes use this name). */
    readonly containerName: string;
    readonly ports: readonly PortBinding[];
    /**
     * Its `--isolation=` flag when that names a cgroups isolator: Mesos 1.7.1's need cgroup v1
     * (on a cgroup v2 host the agent's entrypoint runs Docker tasks only, images/agent/entrypoint.sh).
     */
    readonly cgroupsIsolation?: string;
    /** Runs Mesos's Docker containerizer (`--containerizers=` naming docker): the engine's API and image store matter. */
    readonly dockerContainerizer: boolean;
}

export interface HostPlan {
    readonly host: string;
    readonly address: string;
    readonly dataRoot: string;
    readonly runtime: "docker" | "systemd";
    readonly services: readonly PlannedService[];
}

/**
 * Port ranges the service hands to others: the agent offers these to its tasks, which run in
 * containers of their own, so a listener there is one of its tasks while the agent runs.
 */
export const HANDED_OUT_KEYS: readonly string[] = [`${CONFIG_NAMESPACE}:agentTaskPorts`];

const flag = (args: readonly string[], name: string) => args.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);

/** Every host of the stack with the services it will run, in host name order. */
export function preflightPlan(t: Topology): HostPlan[] {
    const specs = clusterSpecs(t);
    return t.hosts.map((host) => ({
        host: host.name,
        address: host.address,
        dataRoot: dataRootOf(t, host),
        runtime: t.config.runtime,
        services: specs
            .filter((s) => s.host.name === host.name)
            .map((s) => {
                const isolation = flag(s.args, "--isolation");
                return {
                    service: s.service,
                    containerName: s.containerName,
                    ports: s.ports,
                    cgroupsIsolation: isolation !== undefined && isolation.split(",").some((i) => i.startsWith("cgroups/")) ? isolation : undefined,
                    dockerContainerizer: (flag(s.args, "--containerizers") ?? "").split(",").includes("docker"),
                };
            }),
    }));
}
