import * as pulumi from "@pulumi/pulumi";
import { Host, PortBinding, ServiceKind } from "./topology";

/** The image a service runs: built from `images/<context>/`, tagged `<repository>:<tag>`. */
export interface ImageSpec {
    /** Folder under `images/` that holds the Dockerfile. */
    readonly context: string;
    readonly repository: string;
    /** The pinned upstream version the image is built on. */
    readonly tag: string;
    /** Never pulled from a registry: the host's engine must have it (the registry cannot serve its own image). */
    readonly local?: boolean;
}

/** A host directory mounted into the container. */
export interface VolumeSpec {
    readonly host: string;
    readonly container: string;
    readonly readOnly?: boolean;
}

/**
 * A file a service reads, mounted read-only. Its content is a template in which
 * `{{secret:NAME}}` stands for a secret's value: specs stay plain data (rendered for review as
 * they are) and only a runtime, at deploy time, fills in the values as Pulumi secrets.
 */
export interface FileSpec {
    /** Path inside the container. */
    readonly container: string;
    /** Path on the host, under the host's data root (for runtimes that mount host files). */
    readonly host: string;
    /** Octal permission bits, e.g. "0600". */
    readonly mode: string;
    readonly template: string;
}

const PLACEHOLDER = /\{\{secret:([A-Za-z0-9_-]+)\}\}/g;

/** The secrets a template refers to, in order of first use. */
export function secretsIn(template: string): string[] {
    return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1]))];
}

/** A template with every placeholder replaced by its value; a missing value is an error. */
export function fillTemplate(template: string, values: Readonly<Record<string, string>>): string {
    return template.replace(PLACEHOLDER, (_, name: string) => {
        const value = values[name];
        if (value === undefined) {
            throw new Error(`no value for secret "${name}"`);
        }
        return value;
    });
}

/** How a service says it is ready. */
export interface HealthSpec {
    /**
     * Checked from outside by `npm run health`: an HTTP GET that must answer 2xx, or
     * ZooKeeper's `srvr` that must name a mode (leader, follower or standalone).
     */
    readonly endpoints: readonly ({ readonly kind: "http"; readonly url: string } | { readonly kind: "zookeeper"; readonly address: string; readonly port: number })[];
    /** Run inside the container; exit 0 when ready (Docker's health check, the systemd readiness step). */
    readonly command: readonly string[];
    /** How long a deploy waits for readiness before it fails. */
    readonly timeoutSeconds: number;
}

/** A health endpoint as operators read it: a URL, or `zookeeper srvr ADDRESS:PORT`. */
export function endpointText(e: HealthSpec["endpoints"][number]): string {
    return e.kind === "http" ? e.url : `zookeeper srvr ${e.address}:${e.port}`;
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
    /** Files it reads (credentials, secrets), mounted read-only. */
    readonly files: readonly FileSpec[];
    /** Host ports it binds (host networking); checked for clashes by the topology. */
    readonly ports: readonly PortBinding[];
    readonly privileged: boolean;
    /** Shares the host's pid namespace. */
    readonly pidHost: boolean;
    readonly health: HealthSpec;
}

/** `K=V` lines sorted by key: container env diffs are positional, so the order must be stable. */
export function envList(env: Readonly<Record<string, string>>): string[] {
    return Object.keys(env)
        .sort()
        .map((k) => `${k}=${env[k]}`);
}

/** Secret values by name, as Pulumi secrets, for the runtimes to fill file templates with. */
export type SecretValues = Readonly<Record<string, pulumi.Output<string>>>;

/** A file's content with its secrets filled in: a Pulumi secret whenever it holds one. */
export function fileContent(file: FileSpec, secrets: SecretValues): pulumi.Output<string> {
    const names = secretsIn(file.template);
    if (names.length === 0) {
        return pulumi.output(file.template);
    }
    const missing = names.filter((n) => secrets[n] === undefined);
    if (missing.length > 0) {
        throw new Error(`${file.container} needs secrets that were not generated: ${missing.join(", ")}`);
    }
    const values = pulumi.all(Object.fromEntries(names.map((n) => [n, secrets[n]])));
    return pulumi.secret(values.apply((v) => fillTemplate(file.template, v)));
}

/** Turns specs into resources. Implementations know Docker or SSH; none knows Mesos. */
export interface ServiceRuntime {
    /**
     * Creates the resources that run `spec`, named `${name}-…`, as children of `parent`; they
     * start after `dependsOn` and are done only once the service is ready.
     */
    deploy(name: string, spec: ServiceSpec, parent: pulumi.Resource, dependsOn: readonly pulumi.Resource[]): pulumi.Resource[];
    /**
     * The registry images come from is served once `ready` are: a runtime that publishes
     * images there may start then, rather than with the tier that first runs each image.
     */
    registryReady?(ready: readonly pulumi.Resource[]): void;
}

/** The reference a host's engine runs: `REGISTRY/repository:tag`, or `repository:tag` without one. */
export function imageRef(image: ImageSpec, registry: string): string {
    return `${registry === "" || image.local === true ? "" : `${registry}/`}${image.repository}:${image.tag}`;
}

/** A file a host receives. */
export interface HostFile {
    readonly path: string;
    /** Octal permission bits, e.g. "0644". */
    readonly mode: string;
    readonly content: string;
}
