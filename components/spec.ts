/**
 * A service on one host as plain data: what a runtime needs to run it and nothing about how.
 * Both runtimes, the renderer, the policy pack and the tests read the same spec.
 */
import { Host, PortBinding } from "./topology/types";

/** The label both runtimes put on every container: the service it runs. */
export const SERVICE_LABEL_KEY = "mesos-cluster.service";

/**
 * In a spec's arguments, stands for the reference of the image the container itself runs: a
 * runtime substitutes the reference it runs the container from, which only it knows.
 */
export const SELF_IMAGE = "{{image}}";

/** The arguments with SELF_IMAGE replaced by `image`. */
export function argsFor(spec: Pick<ServiceSpec, "args">, image: string): string[] {
    return spec.args.map((a) => a.split(SELF_IMAGE).join(image));
}

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
    /** Numeric owner and group: the user the service runs as, so that a 0600 file is readable by it alone. */
    readonly uid: number;
    readonly gid: number;
    readonly template: string;
}

const PLACEHOLDER = /\{\{secret:([A-Za-z0-9_-]+)\}\}/g;

/** The placeholder a template holds where the secret `name` goes. */
export const secretRef = (name: string) => `{{secret:${name}}}`;

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

/** A health endpoint, checked from outside by `npm run health`. */
export type HealthEndpoint =
    | { readonly kind: "http"; readonly url: string }
    | { readonly kind: "zookeeper"; readonly address: string; readonly port: number };

/** How a service says it is ready. */
export interface HealthSpec {
    /** An HTTP GET that must answer 2xx, or ZooKeeper's `srvr` that must name a mode. */
    readonly endpoints: readonly HealthEndpoint[];
    /** Run inside the container; exit 0 when ready (Docker's health check, the systemd readiness step). */
    readonly command: readonly string[];
    /** How long a deploy waits for readiness before it fails. */
    readonly timeoutSeconds: number;
}

/** A health endpoint as operators read it: a URL, or `zookeeper srvr ADDRESS:PORT`. */
export function endpointText(e: HealthEndpoint): string {
    return e.kind === "http" ? e.url : `zookeeper srvr ${e.address}:${e.port}`;
}

/** One service on one host. */
export interface ServiceSpec {
    /** The service's one name (`zookeeper`, `master`, …). */
    readonly service: string;
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

/** The reference a host's engine runs: `REGISTRY/repository:tag`, or `repository:tag` without one. */
export function imageRef(image: ImageSpec, registry: string): string {
    return `${registry === "" || image.local === true ? "" : `${registry}/`}${image.repository}:${image.tag}`;
}

/** A file a host receives. */
export interface HostFile {
    readonly path: string;
    /** Octal permission bits, e.g. "0644". */
    readonly mode: string;
    /** Numeric owner and group; root's when absent. */
    readonly uid?: number;
    readonly gid?: number;
    readonly content: string;
}

/**
 * A Docker client `config.json` that logs in to `address` as `user`: what the agents'
 * `--docker_config` and the systemd hosts' pulls use. Its content is as secret as the password.
 */
export function dockerClientConfig(address: string, user: string, password: string): string {
    const auth = Buffer.from(`${user}:${password}`).toString("base64");
    return `${JSON.stringify({ auths: { [address]: { auth } } }, null, 2)}\n`;
}
