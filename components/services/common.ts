import * as pulumi from "@pulumi/pulumi";
import { FileSpec, ServiceRuntime, ServiceSpec, VolumeSpec } from "../spec";
import { Host, SERVICE_LABEL, ServiceKind, Topology, dataRootOf } from "../topology";

/** Arguments every service component takes. */
export interface ServiceArgs {
    /** The derived cluster layout. */
    readonly topology: Topology;
    /** The host this instance runs on. */
    readonly host: Host;
    /** Turns the service's spec into resources. */
    readonly runtime: ServiceRuntime;
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

/** A read-only file for `service`, kept on the host under its data root. */
export function configFile(t: Topology, host: Host, service: ServiceKind, container: string, template: string): FileSpec {
    return { container, host: `${dataRootOf(t, host)}/${service}/config/${container.split("/").pop()}`, mode: "0600", template };
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
        args.runtime.deploy(name, spec, this);
        this.containerName = pulumi.output(spec.containerName);
        this.address = pulumi.output(spec.host.address);
        this.registerOutputs({ containerName: this.containerName, address: this.address });
    }
}
