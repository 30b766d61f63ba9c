/**
 * What a service is to the rest of the program. Each module in `services/` exports one
 * descriptor; the composition (placement, ports, every spec checked), the cluster (tiers,
 * components), render, health, the policy pack and the tests read the list of them
 * (`services/index.ts`).
 */
import { ServiceSpec } from "./spec";
import { Host, PlacedService, Topology } from "./topology/types";

/** The upstream daemon a service runs, for checking its flags against upstream's list. */
export interface UpstreamDaemon {
    /** The daemon's name in `reference/flags/<daemon>-<version>.txt`. */
    readonly daemon: string;
    readonly version: string;
    /** Environment variables that set flags (`MESOS_` for `--x` as `MESOS_X`); none if it reads no such variables. */
    readonly envPrefix?: string;
}

export type Rollout = "one-by-one" | "batches";

export interface ServiceDescriptor extends PlacedService {
    /**
     * The one name: its module (`services/<name>.ts`), image folder (`images/<name>/`), image
     * (`mesos-cluster/<name>`), containers (`<name>-<host>`), resources (`<cluster>-<name>-<host>`),
     * data directories (`<dataRoot>/<name>/`) and its type token's module.
     */
    readonly name: string;
    /** The component's type token, `mesos:<name>:<Type>`: kept as it was, so existing stacks see no replacement. */
    readonly type: string;
    /** Start order: a service starts once every service of the lower tiers is ready on every host. */
    readonly tier: number;
    /**
     * How a change reaches its members: `one-by-one` (member k changes once member k-1 has
     * changed and is ready again: ensembles and leader-elected services, where two members down
     * at once can cost the quorum) or `batches` (at most the config's agentBatchSize at a
     * time: member k after member k - agentBatchSize).
     */
    readonly rollout: Rollout;
    /** The upstream version its image is built on (the image's tag). */
    readonly version: string;
    /** Never pulled from a registry: the host's engine must have the image. */
    readonly localImage?: boolean;
    /** It is the registry the other images come from: pushes to it start once it is ready. */
    readonly servesImages?: boolean;
    /** The upstream daemon whose flags it passes, if any. */
    readonly upstream?: UpstreamDaemon;
    /** Its spec on one host: a pure function of the topology. */
    readonly spec: (t: Topology, host: Host) => ServiceSpec;
}
