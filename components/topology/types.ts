/**
 * The derived cluster layout as plain data, and the pure helpers every layer above reads it
 * with. No Pulumi, no Docker, no SSH.
 */
import { ClusterConfig } from "../config";

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

/** A range of host ports, and the config key that moves it (or "… (fixed)"). */
export interface PortRequest {
    readonly first: number;
    readonly last: number;
    readonly key: string;
    /**
     * Not moved by its key: `program`, no key moves it; `host`, the host's own service (sshd)
     * binds it, and its key only tells the program where. A clash names the other key.
     */
    readonly fixed?: "program" | "host";
}

/** A range of host ports one service binds. */
export interface PortBinding extends PortRequest {
    readonly service: string;
}

/** The host lists of the config: every service runs on the hosts of one of them. */
export type Role = "masters" | "agents" | "bambooHosts" | "registryHost";

/**
 * What placing a service reads of it; a service's descriptor (`service.ts`) is one. The layout
 * takes the list of them rather than the services themselves, so that it stands below them.
 */
export interface PlacedService {
    readonly name: string;
    /** The hosts it runs on. */
    readonly runsOn: Role;
    /** Host ports it binds, each with the config key that moves it. */
    readonly ports: (c: ClusterConfig) => readonly PortRequest[];
}

/** What runs on one host. */
export interface Placement {
    readonly host: Host;
    /** Service names, in the order the services are listed. */
    readonly services: readonly string[];
    readonly ports: readonly PortBinding[];
}

export interface Range {
    readonly first: number;
    readonly last: number;
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

/** Everything derived from the validated config. */
export interface Topology {
    /** Every key, validated, defaults applied: services read their own settings here. */
    readonly config: ClusterConfig;
    /** Masters, sorted by name; ZooKeeper ids follow this order. */
    readonly masters: readonly Host[];
    /** Agents, sorted by name. */
    readonly agents: readonly Host[];
    /** Every distinct host, sorted by name. */
    readonly hosts: readonly Host[];
    /** The hosts of each list, sorted by name. */
    readonly roles: Readonly<Record<Role, readonly Host[]>>;
    readonly ensemble: readonly ZooKeeperMember[];
    /** Mesos quorum: a strict majority of the masters. */
    readonly quorum: number;
    /** `h1:2181,h2:2181` — the ensemble's connect string (Chronos's `--zk_hosts` form). */
    readonly zkHosts: string;
    /** `zk://h1:2181,.../mesos` for the masters, agents and frameworks. */
    readonly mesosZkUrl: string;
    /** `zk://h1:2181,.../marathon` for Marathon's state. */
    readonly marathonZkUrl: string;
    /** The cluster's Docker registry, when one is configured. */
    readonly registry?: ClusterRegistry;
    /**
     * Where hosts pull the cluster's images from (`host[:port][/path]`): the cluster's registry,
     * an outside one, or "" when the hosts' engines already have them.
     */
    readonly imageRegistry: string;
    /** How many agents a change restarts at once (agentBatchSize resolved against the agents' count). */
    readonly agentBatchSize: number;
    /** The port ranges of the config, parsed. */
    readonly ranges: { readonly agentTasks: Range; readonly service: Range };
    /** Per host, sorted by host name. */
    readonly placements: readonly Placement[];
}

export const ZOOKEEPER_CLIENT_PORT = 2181;
export const ZOOKEEPER_PEER_PORT = 2888;
export const ZOOKEEPER_ELECTION_PORT = 3888;
export const REGISTRY_USER = "mesos-cluster";

/** A host's data root: the configured one, `{host}` replaced by the host's name. */
export function dataRootOf(t: Pick<Topology, "config">, host: Host): string {
    return t.config.dataRoot.split("{host}").join(host.name);
}

/** floor(n/2)+1: with n/2, two halves of an even split could both form a quorum. */
export function quorumOf(masterCount: number): number {
    return Math.floor(masterCount / 2) + 1;
}

/** A batch size ("5" agents, or "10%" of `count`, rounded up) as a number of members, at least 1. */
export function batchSizeOf(size: string, count: number): number {
    const n = size.endsWith("%") ? Math.ceil((count * Number(size.slice(0, -1))) / 100) : Number(size);
    return Math.max(1, Math.min(n, Math.max(count, 1)));
}

/** "LOW-HIGH" as numbers (the config key's own rule has checked the form). */
export function parseRange(text: string): Range {
    const [first, last] = text.split("-").map(Number);
    return { first, last };
}

/** The ports a service binds on a host. */
export function portsOf(t: Pick<Topology, "placements">, service: string, host: Host): PortBinding[] {
    const placement = t.placements.find((p) => p.host.name === host.name);
    return (placement?.ports ?? []).filter((p) => p.service === service);
}
