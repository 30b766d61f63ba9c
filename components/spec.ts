import * as pulumi from "@pulumi/pulumi";
import { Host, PortBinding, ServiceKind } from "./topology";

/** The image a service runs: built from `images/<context>/`, tagged `<repository>:<tag>`. */
export interface ImageSpec {
    /** Folder under `images/` that holds the Dockerfile. */
    readonly context: string;
    readonly repository: string;
    /** The pinned upstream version the image is built on. */
    readonly tag: string;
}

/** A host directory mounted into the container. */
export interface VolumeSpec {
    readonly host: string;
    readonly container: string;
    readonly readOnly?: boolean;
}

/**
 * One service on one host, as plain data: everything a runtime needs to run it and nothing
 * about how. Both runtimes, the renderer and the tests read the same spec.
 */
export interface ServiceSpec {
    readonly service: ServiceKind;
    readonly host: Host;
    /** Never starts with `mesos-`: an agent kills such containers as its own. */
    readonly containerName: string;
    readonly image: ImageSpec;
    /** Arguments after the image's entrypoint, in a stable order. */
    readonly args: readonly string[];
    readonly env: Readonly<Record<string, string>>;
    readonly volumes: readonly VolumeSpec[];
    /** Host ports it binds (host networking); checked for clashes by the topology. */
    readonly ports: readonly PortBinding[];
    readonly privileged: boolean;
    /** Shares the host's pid namespace. */
    readonly pidHost: boolean;
}

/** `K=V` lines sorted by key: container env diffs are positional, so the order must be stable. */
export function envList(env: Readonly<Record<string, string>>): string[] {
    return Object.keys(env)
        .sort()
        .map((k) => `${k}=${env[k]}`);
}

/** Turns specs into resources. Implementations know Docker or SSH; none knows Mesos. */
export interface ServiceRuntime {
    /** Creates the resources that run `spec`, named `${name}-…`, as children of `parent`. */
    deploy(name: string, spec: ServiceSpec, parent: pulumi.Resource): pulumi.Resource[];
}

/** The reference a host's engine runs: `REGISTRY/repository:tag`, or `repository:tag` without one. */
export function imageRef(image: ImageSpec, registry: string): string {
    return `${registry === "" ? "" : `${registry}/`}${image.repository}:${image.tag}`;
}

/** A file a host receives. */
export interface HostFile {
    readonly path: string;
    /** Octal permission bits, e.g. "0644". */
    readonly mode: string;
    readonly content: string;
}
