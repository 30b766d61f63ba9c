import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { RuntimeSettings, ServiceRuntime, createRuntime } from "./runtimes";
import { ServiceDescriptor } from "./service";
import { service } from "./services";
import {
    AGENT_JWT_KEY,
    MAIL_PASSWORD,
    OPERATOR_PASSWORD,
    OPERATOR_USER,
    PRINCIPALS,
    REGISTRY_DOCKER_CONFIG,
    REGISTRY_PASSWORD,
    REGISTRY_TLS_KEY,
    ZOOKEEPER_SUPER_PASSWORD,
    ZOOKEEPER_USERS,
    ZooKeeperUser,
    zookeeperDigest,
    zookeeperDigestSecret,
} from "./services/credentials";
import { ServiceSpec, dockerClientConfig, endpointText } from "./spec";
import { Host, Topology } from "./topology/types";

/** Secrets the operator configured, as Pulumi secrets (each present when the topology calls for it). */
export interface ConfiguredSecrets {
    /** Chronos's SMTP password. */
    readonly chronosMailPassword?: pulumi.Input<string>;
    /** The registry certificate's private key. */
    readonly registryTlsKey?: pulumi.Input<string>;
}

/** Arguments of a MesosCluster. */
export interface MesosClusterArgs {
    /** The validated, derived layout of hosts and services. */
    readonly topology: Topology;
    /** How services become resources. */
    readonly runtime: RuntimeSettings;
    readonly secrets: ConfiguredSecrets;
}

/** Arguments of a Service. */
export interface ServiceArgs {
    /** Which service. */
    readonly descriptor: ServiceDescriptor;
    /** Its spec on this component's host. */
    readonly spec: ServiceSpec;
    /** Turns the spec into resources. */
    readonly runtime: ServiceRuntime;
    /** What must be ready before it starts (the tiers below, on every host). */
    readonly after: readonly pulumi.Resource[];
}

/**
 * One service on one host: its runtime's resources, below a component whose type token is
 * the service's own (`mesos:master:MesosMaster`).
 */
export class Service extends pulumi.ComponentResource {
    /** The spec this component deployed (plain data, for tests and rendering). */
    readonly spec: ServiceSpec;

    /** What its runtime made of it. */
    readonly resources: readonly pulumi.Resource[];

    constructor(name: string, args: ServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super(args.descriptor.type, name, {}, opts);
        this.spec = args.spec;
        this.resources = args.runtime.deploy(name, args.spec, this, args.after);
        // Recorded in the stack's state for operators; nothing in the program reads them back
        // (the spec has them), so they are plain values, not Outputs: one fewer pair per service.
        this.registerOutputs({ containerName: args.spec.containerName, address: args.spec.host.address });
    }
}

/** Turns stack traces off; the function returned turns them back on (once). */
function withoutStackTraces(): () => void {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    let restored = false;
    return () => {
        if (!restored) {
            restored = true;
            Error.stackTraceLimit = limit;
        }
    };
}

const urls = (hosts: readonly Host[], port: number) => hosts.map((h) => `http://${h.address}:${port}`);

/** A whole Mesos cluster: every service of the topology on its hosts. */
export class MesosCluster extends pulumi.ComponentResource {
    /** Every service component, tier by tier. */
    readonly services: readonly Service[];
    /** `zk://…/mesos`, for frameworks and agents. */
    readonly zookeeperUrl: pulumi.Output<string>;
    /** The Mesos masters' quorum. */
    readonly quorum: pulumi.Output<number>;
    readonly mesosUrls: pulumi.Output<string[]>;
    readonly marathonUrls: pulumi.Output<string[]>;
    readonly chronosUrls: pulumi.Output<string[]>;
    /** Bamboo's API and UI on each Bamboo host. */
    readonly bambooUrls: pulumi.Output<string[]>;
    /** HAProxy's HTTP frontend on each Bamboo host: where apps are reached. */
    readonly haproxyUrls: pulumi.Output<string[]>;
    /** `address:port` of the cluster's registry, "" without one: image references start with it. */
    readonly registryAddress: pulumi.Output<string>;
    /** The registry's user and generated password (a secret), with authentication on. */
    readonly registryUser?: pulumi.Output<string>;
    readonly registryPassword?: pulumi.Output<string>;
    /** The operator's login to every operator API (the password a secret), with authentication on. */
    readonly operatorUser?: pulumi.Output<string>;
    readonly operatorPassword?: pulumi.Output<string>;
    /** Each service's health endpoints, for `npm run health` and monitoring. */
    readonly health: pulumi.Output<{ service: string; host: string; endpoints: string[] }[]>;

    constructor(name: string, args: MesosClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mesos:index:MesosCluster", name, {}, opts);
        const t = args.topology;
        const c = t.config;
        // The SDK captures a stack trace for every promise it makes (to explain leaked promises,
        // which a successful run never prints): for every output property of every resource as
        // it is constructed, and again at each step of its registration, most of which comes
        // after the program has returned. Mapped through ts-node's source maps, those traces
        // were a fifth of a preview's time and a third of what it allocated (BENCHMARKS.md).
        // So none is taken from here to the end of the run, unless PULUMI_DEBUG_PROMISE_LEAKS
        // asks for them: an error raised later still says what went wrong, without the trace.
        const restore = process.env.PULUMI_DEBUG_PROMISE_LEAKS ? () => undefined : withoutStackTraces();
        try {
            const secrets = this.secrets(name, args);
            const runtime = createRuntime(name, args.runtime, this, { files: secrets, registryPassword: secrets[REGISTRY_PASSWORD] });
            this.services = this.build(name, t, runtime);
            if (t.registry?.auth) {
                this.registryUser = pulumi.output(t.registry.user);
                this.registryPassword = secrets[REGISTRY_PASSWORD];
            }
            if (c.authentication) {
                this.operatorUser = pulumi.output(OPERATOR_USER);
                this.operatorPassword = secrets[OPERATOR_PASSWORD];
            }
        } catch (e) {
            // An error raised while building carries its message, not its trace (it was made
            // with traces off); whatever handles it afterwards has them again.
            restore();
            throw e;
        }
        this.health = pulumi.output(
            this.services.map((s) => ({ service: s.spec.service, host: s.spec.host.name, endpoints: s.spec.health.endpoints.map(endpointText) })),
        );
        this.zookeeperUrl = pulumi.output(t.mesosZkUrl);
        this.quorum = pulumi.output(t.quorum);
        this.mesosUrls = pulumi.output(urls(t.masters, c.masterPort));
        this.marathonUrls = pulumi.output(urls(t.masters, c.marathonPort));
        this.chronosUrls = pulumi.output(urls(t.masters, c.chronosPort));
        this.bambooUrls = pulumi.output(urls(t.roles.bambooHosts, c.bambooPort));
        this.haproxyUrls = pulumi.output(urls(t.roles.bambooHosts, c.haproxyHttpPort));
        this.registryAddress = pulumi.output(t.registry?.address ?? "");
        this.registerOutputs({
            zookeeperUrl: this.zookeeperUrl,
            quorum: this.quorum,
            mesosUrls: this.mesosUrls,
            marathonUrls: this.marathonUrls,
            chronosUrls: this.chronosUrls,
            bambooUrls: this.bambooUrls,
            haproxyUrls: this.haproxyUrls,
            registryAddress: this.registryAddress,
            registryUser: this.registryUser,
            registryPassword: this.registryPassword,
            operatorUser: this.operatorUser,
            operatorPassword: this.operatorPassword,
            health: this.health,
        });
    }

    /** The secrets the services' files are filled with: generated ones and the operator's, all Pulumi secrets. */
    private secrets(name: string, args: MesosClusterArgs): Record<string, pulumi.Output<string>> {
        const t = args.topology;
        const secrets: Record<string, pulumi.Output<string>> = {};
        const generate = (key: string) =>
            // Letters and digits only: the secrets go into JSON and one-line files as they are.
            // Wrapped where it is made, so it stays secret under any engine (mocks included).
            pulumi.secret(new random.RandomPassword(`${name}-${key}`, { length: 32, special: false }, { parent: this }).result);
        // Every ensemble can change its membership (by reconfiguration, as the superuser).
        secrets[ZOOKEEPER_SUPER_PASSWORD] = generate(ZOOKEEPER_SUPER_PASSWORD);
        if (t.config.authentication) {
            for (const principal of Object.keys(PRINCIPALS)) {
                secrets[principal] = generate(`secret-${principal}`);
            }
            // The operator's login to the HTTP APIs, and the key agents sign executors' tokens with.
            secrets[OPERATOR_PASSWORD] = generate(OPERATOR_PASSWORD);
            secrets[AGENT_JWT_KEY] = generate(AGENT_JWT_KEY);
            // ZooKeeper's users, and the digests the ensemble's ACLs name them by.
            for (const user of Object.keys(ZOOKEEPER_USERS) as ZooKeeperUser[]) {
                const password = generate(ZOOKEEPER_USERS[user].secret);
                secrets[ZOOKEEPER_USERS[user].secret] = password;
                secrets[zookeeperDigestSecret(user)] = pulumi.secret(password.apply((p) => zookeeperDigest(user, p)));
            }
        }
        const configured = (what: string, value: pulumi.Input<string> | undefined) => {
            if (value === undefined) {
                throw new Error(`the topology calls for ${what}, but none was given`);
            }
            return pulumi.secret(value);
        };
        if (t.config.chronosMailPassword) {
            secrets[MAIL_PASSWORD] = configured("Chronos's mail password", args.secrets.chronosMailPassword);
        }
        const registry = t.registry;
        if (registry?.auth) {
            const password = generate("registry-password");
            secrets[REGISTRY_PASSWORD] = password;
            secrets[REGISTRY_DOCKER_CONFIG] = pulumi.secret(password.apply((p) => dockerClientConfig(registry.address, registry.user, p)));
        }
        if (registry !== undefined && registry.certificate !== "") {
            secrets[REGISTRY_TLS_KEY] = configured("the registry's TLS key", args.secrets.registryTlsKey);
        }
        return secrets;
    }

    /**
     * Every service's component, tier by tier: each starts once every service of the tier
     * below is ready, on every host. Within a tier, each service rolls on its own: member k
     * (hosts in name order, which is the ZooKeeper ids' order) after member k-1, or, for agents,
     * after member k - agentBatchSize (its descriptor's rollout); different services of a tier
     * go in parallel.
     */
    private build(name: string, t: Topology, runtime: ServiceRuntime): Service[] {
        const placed = t.placements.flatMap((p) => p.services.map((s) => ({ host: p.host, descriptor: service(s) })));
        const tiers = [...new Set(placed.map((x) => x.descriptor.tier))].sort((a, b) => a - b);
        const services: Service[] = [];
        // The resources of the tier below, rather than its components: the SDK would expand each
        // component into the same resources for every dependent, with promises of its own (at
        // thousands of agents, a large share of a preview's memory; BENCHMARKS.md).
        let below: pulumi.Resource[] = [];
        for (const tier of tiers) {
            const inTier = placed.filter((x) => x.descriptor.tier === tier);
            const built = new Map<(typeof placed)[number], Service>();
            for (const descriptor of new Set(inTier.map((x) => x.descriptor))) {
                const members = inTier.filter((x) => x.descriptor === descriptor);
                // Member k waits for member k - size: at most `size` members change at once
                // (one at a time for ensembles), each edge one resource, not a batch's.
                // Dependencies order updates as they order creates: Pulumi sends a resource's
                // registration (so its update) only once those it depends on are done.
                const size = descriptor.rollout === "batches" ? t.agentBatchSize : 1;
                members.forEach((x, i) => {
                    const previous = i >= size ? (built.get(members[i - size]) as Service).resources : [];
                    const after = [...below, ...previous];
                    built.set(x, new Service(`${name}-${descriptor.name}-${x.host.name}`, { descriptor, spec: descriptor.spec(t, x.host), runtime, after }, { parent: this }));
                });
            }
            const here = inTier.map((x) => built.get(x) as Service);
            services.push(...here);
            below = here.flatMap((s) => s.resources);
            const registries = inTier.filter((x) => x.descriptor.servesImages).flatMap((x) => (built.get(x) as Service).resources);
            if (registries.length > 0) {
                runtime.registryReady?.(registries);
            }
        }
        return services;
    }
}
