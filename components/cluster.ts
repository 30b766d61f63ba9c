import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { MAIL_PASSWORD, PRINCIPALS, REGISTRY_DOCKER_CONFIG, REGISTRY_PASSWORD, REGISTRY_TLS_KEY, dockerClientConfig } from "./credentials";
import { RuntimeSettings, createRuntime } from "./runtimes";
import { endpointText } from "./spec";
import { Bamboo } from "./services/bamboo";
import { Chronos } from "./services/chronos";
import { ServiceArgs, ServiceComponent } from "./services/common";
import { Marathon } from "./services/marathon";
import { MesosAgent } from "./services/mesosAgent";
import { MesosMaster } from "./services/mesosMaster";
import { Registry } from "./services/registry";
import { ZooKeeper } from "./services/zookeeper";
import { SERVICE_LABEL, SERVICE_TIER, ServiceKind, Topology } from "./topology";

/** Arguments of a MesosCluster. */
export interface MesosClusterArgs {
    /** The validated, derived layout of hosts and services. */
    readonly topology: Topology;
    /** How services become resources. */
    readonly runtime: RuntimeSettings;
    /** Chronos's SMTP password (a secret), when the topology's mail settings call for one. */
    readonly chronosMailPassword?: pulumi.Input<string>;
    /** The registry certificate's private key (a secret), when the topology's registry serves TLS. */
    readonly registryTlsKey?: pulumi.Input<string>;
}

type ServiceClass = new (name: string, args: ServiceArgs, opts?: pulumi.ComponentResourceOptions) => ServiceComponent;

const components: Record<ServiceKind, ServiceClass> = {
    registry: Registry,
    zookeeper: ZooKeeper,
    "mesos-master": MesosMaster,
    "mesos-agent": MesosAgent,
    marathon: Marathon,
    chronos: Chronos,
    bamboo: Bamboo,
};

const urls = (t: Topology, port: number) => t.masters.map((m) => `http://${m.address}:${port}`);

/** A whole Mesos cluster: every service of the topology on its hosts. */
export class MesosCluster extends pulumi.ComponentResource {
    /** Every service component, in placement order. */
    readonly services: readonly ServiceComponent[];
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
    /** Each service's health endpoints, for `npm run health` and monitoring. */
    readonly health: pulumi.Output<{ service: string; host: string; endpoints: string[] }[]>;

    constructor(name: string, args: MesosClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mesos:index:MesosCluster", name, {}, opts);
        const t = args.topology;
        // The SDK captures a stack trace for every output property of every resource it
        // constructs (to explain leaked promises, which a successful run never prints). A
        // docker.Container has some 70, so at hundreds of agents these traces were most of the
        // evaluation's time and memory (BENCHMARKS.md). None is taken while the services are
        // built; the limit is restored however that ends.
        const stackTraceLimit = Error.stackTraceLimit;
        Error.stackTraceLimit = 0;
        try {
            const { services, health, secrets } = this.build(name, args);
            this.services = services;
            this.health = health;
            if (t.registry?.auth) {
                this.registryUser = pulumi.output(t.registry.user);
                this.registryPassword = secrets[REGISTRY_PASSWORD];
            }
        } finally {
            Error.stackTraceLimit = stackTraceLimit;
        }
        this.zookeeperUrl = pulumi.output(t.mesosZkUrl);
        this.quorum = pulumi.output(t.quorum);
        this.mesosUrls = pulumi.output(urls(t, t.ports.master));
        this.marathonUrls = pulumi.output(urls(t, t.ports.marathon));
        this.chronosUrls = pulumi.output(urls(t, t.ports.chronos));
        this.bambooUrls = pulumi.output(t.bambooHosts.map((h) => `http://${h.address}:${t.ports.bamboo}`));
        this.haproxyUrls = pulumi.output(t.bambooHosts.map((h) => `http://${h.address}:${t.ports.haproxyHttp}`));
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
            health: this.health,
        });
    }

    /** Every service's component, tier by tier, and their health endpoints. */
    private build(name: string, args: MesosClusterArgs) {
        const t = args.topology;
        const secrets: Record<string, pulumi.Output<string>> = {};
        if (t.authentication) {
            for (const principal of Object.keys(PRINCIPALS)) {
                // Letters and digits only: the secrets go into JSON and one-line files as they are.
                const password = new random.RandomPassword(`${name}-secret-${principal}`, { length: 32, special: false }, { parent: this });
                // Wrapped where it is made, so it stays secret under any engine (mocks included).
                secrets[principal] = pulumi.secret(password.result);
            }
        }
        if (t.mail.password) {
            if (args.chronosMailPassword === undefined) {
                throw new Error("the topology calls for Chronos's mail password, but none was given");
            }
            secrets[MAIL_PASSWORD] = pulumi.secret(args.chronosMailPassword);
        }
        const registry = t.registry;
        if (registry?.auth) {
            const password = new random.RandomPassword(`${name}-registry-password`, { length: 32, special: false }, { parent: this });
            secrets[REGISTRY_PASSWORD] = pulumi.secret(password.result);
            secrets[REGISTRY_DOCKER_CONFIG] = pulumi.secret(password.result.apply((p) => dockerClientConfig(registry.address, registry.user, p)));
        }
        if (registry !== undefined && registry.certificate !== "") {
            if (args.registryTlsKey === undefined) {
                throw new Error("the topology's registry serves TLS, but no registryTlsKey was given");
            }
            secrets[REGISTRY_TLS_KEY] = pulumi.secret(args.registryTlsKey);
        }
        const runtime = createRuntime(name, args.runtime, this, secrets);
        // Tier by tier: each service starts after every service of the tier below, on every host,
        // is ready; services of one tier start in parallel.
        const placed = t.placements.flatMap((p) => p.services.map((service) => ({ host: p.host, service })));
        const tiers = [...new Set(placed.map((x) => SERVICE_TIER[x.service]))].sort((a, b) => a - b);
        const services: ServiceComponent[] = [];
        let below: ServiceComponent[] = [];
        for (const tier of tiers) {
            const here = placed
                .filter((x) => SERVICE_TIER[x.service] === tier)
                .map(
                    ({ host, service }) =>
                        new components[service](`${name}-${SERVICE_LABEL[service]}-${host.name}`, { topology: t, host, runtime, after: below }, { parent: this }),
                );
            services.push(...here);
            below = here;
            const registries = here.filter((s) => s.spec.service === "registry");
            if (registries.length > 0) {
                runtime.registryReady?.(registries);
            }
        }
        const health = pulumi.output(
            services.map((s) => ({
                service: s.spec.service,
                host: s.spec.host.name,
                endpoints: s.spec.health.endpoints.map(endpointText),
            })),
        );
        return { services, health, secrets };
    }
}
