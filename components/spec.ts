/**
 * A service on one host as plain data: what a runtime needs to run it and nothing about how.
 * Both runtimes, the renderer, the policy pack and the tests read the same spec.
 */
import { Host, PortBinding } from "./topology/types";

/** The label both runtimes put on every container: the service it runs. */
export const SERVICE_LABEL_KEY = "mesos-cluster.service";

/**
 * The arguments a runtime passes: the spec's, with the one `selfImageArg` points at completed
 * by `image`, the reference the runtime runs the container from (which only it knows). An
 * index rather than a placeholder in the text, so that no argument's text is ever rewritten.
 */
export function argsFor(spec: Pick<ServiceSpec, "args" | "selfImageArg">, image: string): string[] {
    return spec.args.map((a, i) => (i === spec.selfImageArg ? `${a}${image}` : a));
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
 * A file a service reads, mounted read-only. Its content is a Template: text, and the places
 * secrets go. Specs stay plain data (rendered for review with placeholders) and only a runtime,
 * at deploy time, fills in the values as Pulumi secrets.
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
    readonly template: Template;
}

/** Where a secret's value goes in a file. `json`: inside a JSON string, so the value is escaped as one. */
export interface SecretSlot {
    readonly secret: string;
    readonly json?: boolean;
}

/**
 * A file's content as the program built it: text, taken as it is, and slots for secrets.
 * Text is never searched for placeholders, so an operator's value anywhere in a file (a
 * certificate, a sender address, an argument in a unit) is written as typed, even one that
 * reads `{{secret:agent}}`: only the slots the program made are ever filled.
 */
export interface Template {
    readonly parts: readonly (string | SecretSlot)[];
}

/** Text alone: a file with nothing to fill in. */
export const text = (content: string): Template => ({ parts: [content] });

/** A file that is one secret's value. */
export const secretRef = (name: string): Template => ({ parts: [{ secret: name }] });

/** Its slot's look in a file shown for review. */
const placeholder = (slot: SecretSlot) => `{{secret:${slot.secret}}}`;

/** The secrets a template has slots for, in order of first use. */
export function secretsIn(template: Template): string[] {
    return [...new Set(template.parts.flatMap((p) => (typeof p === "string" ? [] : [p.secret])))];
}

/** A template with every slot filled with its value; a missing value is an error. */
export function fillTemplate(template: Template, values: Readonly<Record<string, string>>): string {
    return template.parts
        .map((p) => {
            if (typeof p === "string") {
                return p;
            }
            const value = values[p.secret];
            if (value === undefined) {
                throw new Error(`no value for secret "${p.secret}"`);
            }
            return p.json ? JSON.stringify(value).slice(1, -1) : value;
        })
        .join("");
}

/** A template as a reviewer reads it: `{{secret:NAME}}` in each slot, never a value. */
export function showTemplate(template: Template): string {
    return template.parts.map((p) => (typeof p === "string" ? p : placeholder(p))).join("");
}

/** An object as `JSON.stringify(value, null, 2)` writes it, each `secretRef` in it a slot inside a string. */
export function jsonTemplate(value: unknown): Template {
    const parts: (string | SecretSlot)[] = [];
    const walk = (v: unknown, indent: string) => {
        const inner = `${indent}  `;
        if (isSecretRef(v)) {
            parts.push('"', { ...(v.parts[0] as SecretSlot), json: true }, '"');
        } else if (Array.isArray(v) && v.length > 0) {
            parts.push("[");
            v.forEach((x, i) => {
                parts.push(`${i === 0 ? "" : ","}\n${inner}`);
                walk(x, inner);
            });
            parts.push(`\n${indent}]`);
        } else if (typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length > 0) {
            parts.push("{");
            Object.entries(v).forEach(([k, x], i) => {
                parts.push(`${i === 0 ? "" : ","}\n${inner}${JSON.stringify(k)}: `);
                walk(x, inner);
            });
            parts.push(`\n${indent}}`);
        } else {
            parts.push(JSON.stringify(v));
        }
    };
    walk(value, "");
    // One part per run of text.
    const merged: (string | SecretSlot)[] = [];
    for (const p of parts) {
        const last = merged.length - 1;
        if (typeof p === "string" && typeof merged[last] === "string") {
            merged[last] = `${merged[last] as string}${p}`;
        } else {
            merged.push(p);
        }
    }
    return { parts: merged };
}

function isSecretRef(v: unknown): v is Template {
    const parts = (v as Template | undefined)?.parts;
    return Array.isArray(parts) && parts.length === 1 && typeof parts[0] === "object" && "secret" in parts[0];
}

/**
 * A health endpoint, checked from outside by `npm run health`. `login`: it answers only with the
 * operator's login (the stack output operatorPassword).
 */
export type HealthEndpoint =
    | { readonly kind: "http"; readonly url: string; readonly login?: boolean }
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
    /** The argument that ends in the reference of the image the container runs (see argsFor). */
    readonly selfImageArg?: number;
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
