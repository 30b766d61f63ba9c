import * as pulumi from "@pulumi/pulumi";
import { FileSpec, HealthSpec, ServiceRuntime, ServiceSpec, VolumeSpec } from "../spec";
import { Host, SERVICE_LABEL, ServiceKind, Topology, dataRootOf } from "../topology";

/** Arguments every service component takes. */
export interface ServiceArgs {
    /** The derived cluster layout. */
    readonly topology: Topology;
    /** The host this instance runs on. */
    readonly host: Host;
    /** Turns the service's spec into resources. */
    readonly runtime: ServiceRuntime;
    /** What must be ready before this service starts (the tiers below, on every host). */
    readonly after?: readonly pulumi.Resource[];
}

// Container names carry their host so that hosts sharing one engine (and operators reading
// `docker ps`) can tell them apart.
export function containerName(t: Topology, service: ServiceKind, host: Host): string {
    const name = `${t.containerPrefix}${SERVICE_LABEL[service]}-${host.name}`;
    if (name.startsWith("mesos-")) {
        // The topology refuses such prefixes; this guards the invariant for every caller.
        throw new Error(`container name "${name}" starts with "mesos-"; an agent would kill it`);
    }
    return name;
}

/** A persistent host directory for `service` under the data root. */
export function dataVolume(t: Topology, host: Host, service: ServiceKind, sub: string, container: string): VolumeSpec {
    return { host: `${dataRootOf(t, host)}/${service}/${sub}`, container };
}

/** A read-only file for `service`, kept on the host under its data root; 0600 unless it holds nothing secret. */
export function configFile(t: Topology, host: Host, service: ServiceKind, container: string, template: string, mode = "0600"): FileSpec {
    return { container, host: `${dataRootOf(t, host)}/${service}/config/${container.split("/").pop()}`, mode, template };
}

/**
 * Readiness from HTTP endpoints: outside, each must answer 2xx; inside the container, curl
 * checks the same URLs (the images carry curl). `redirects` lists URLs that must redirect
 * somewhere (a leader is known).
 */
export function httpHealth(t: Topology, urls: readonly string[], redirects: readonly string[] = []): HealthSpec {
    const checks = [...urls.map((u) => `curl -fsS -o /dev/null --max-time 5 '${u}'`), ...redirects.map((u) => `curl -sS -o /dev/null --max-time 5 -w '%{redirect_url}' '${u}' | grep -q .`)];
    return {
        endpoints: urls.map((url) => ({ kind: "http" as const, url })),
        command: ["sh", "-c", checks.join(" && ")],
        timeoutSeconds: t.readinessTimeoutSeconds,
    };
}

/** Where every libmesos process learns the address it binds and advertises. */
export function libprocessEnv(host: Host): Record<string, string> {
    return { LIBPROCESS_IP: host.address };
}

export function portsOf(t: Topology, service: ServiceKind, host: Host) {
    const placement = t.placements.find((p) => p.host.name === host.name);
    return (placement?.ports ?? []).filter((p) => p.service === service);
}

/**
 * The shape every service component shares: build the spec, hand it to the runtime with
 * this component as parent, and expose what an operator needs.
 */
export abstract class ServiceComponent extends pulumi.ComponentResource {
    /** The spec this component deployed (plain data, for tests and rendering). */
    readonly spec: ServiceSpec;
    /** The container's name on its host. */
    readonly containerName: pulumi.Output<string>;
    /** The address the service binds and advertises. */
    readonly address: pulumi.Output<string>;

    protected constructor(type: string, name: string, spec: ServiceSpec, args: ServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super(type, name, {}, opts);
        this.spec = spec;
        args.runtime.deploy(name, spec, this, args.after ?? []);
        this.containerName = pulumi.output(spec.containerName);
        this.address = pulumi.output(spec.host.address);
        this.registerOutputs({ containerName: this.containerName, address: this.address });
    }
}
