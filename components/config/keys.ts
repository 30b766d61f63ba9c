import { z } from "zod";

/** The Pulumi config namespace of every key this program reads. */
export const CONFIG_NAMESPACE = "mesos-cluster";

/** A key as operators write it in messages and commands: `mesos-cluster:masters`. */
export const fullKey = (key: string) => `${CONFIG_NAMESPACE}:${key}`;

/**
 * Raised for any configuration a cluster cannot be built from. Every line names the
 * offending key and says how to fix it; it is thrown before any resource is registered.
 */
export class ConfigError extends Error {
    constructor(readonly problems: readonly string[]) {
        super(`Invalid stack configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "ConfigError";
    }
}

/** The kind of value a key holds, as Pulumi.yaml's `config:` block declares it. */
export type ConfigKind = "string" | "integer" | "boolean" | "array";

/** One key: its kind, its own rules (the schema) and its description. */
export interface KeyDeclaration {
    readonly kind: ConfigKind;
    /** Set with `pulumi config set --secret`; the program only learns whether it is there. */
    readonly secret?: boolean;
    /** A secret that must hold a PEM or OpenSSH private key. */
    readonly privateKey?: boolean;
    /** A secret that becomes a word of a command: where, said so that "it begins with '-', and …" reads. */
    readonly word?: string;
    /**
     * Where Pulumi shows its value whatever the program does (resource names, which resources
     * exist, the state and outputs of its components): set with --secret, it is refused rather
     * than kept secret only in part. Any other key set with --secret is kept secret.
     */
    readonly visible?: string;
    readonly schema: z.ZodType;
    readonly description: string;
}

const NAME = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$|^[a-z]$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

// Why a key's value cannot be kept secret (KeyDeclaration.visible).
const STRUCTURE = "it decides which resources the stack has, which Pulumi always shows";
const IN_NAMES = "host names are part of resource names, which Pulumi always shows";
const IN_URLS = "ports are part of the URLs and health endpoints the cluster's component records in plain text";

const PORT_ERROR = { error: "must be a whole number from 1 to 65535" };
const port = (def: number) => z.int(PORT_ERROR).min(1, PORT_ERROR).max(65535, PORT_ERROR).default(def);
// Without a limit, every JVM on a master sizes its heap from the whole host's memory.
const HEAP_ERROR = { error: "must be a whole number of MiB from 64 to 65536" };
const heap = (def: number) => z.int(HEAP_ERROR).min(64, HEAP_ERROR).max(65536, HEAP_ERROR).default(def);
const portRange = (def: string) =>
    z
        .string()
        .regex(/^\d{1,5}-\d{1,5}$/, { error: `must be a range "LOW-HIGH", e.g. "${def}"` })
        .refine(
            (text) => {
                const [first, last] = text.split("-").map(Number);
                return first >= 1 && last <= 65535 && first <= last;
            },
            { error: (issue) => `"${String(issue.input)}" is not a range of ports LOW-HIGH with 1 <= LOW <= HIGH <= 65535` },
        )
        .default(def);

/**
 * The problems of one host entry, "name=address"; an agent may instead name a master host
 * alone ("m1"), so that a host running both roles has its address written once.
 */
export function hostEntryProblems(entry: string, requireAddress: boolean): string[] {
    const [name, address, ...rest] = entry.split("=");
    if (rest.length > 0 || (requireAddress && address === undefined)) {
        return [`"${entry}" is not NAME=ADDRESS; write it as e.g. "m1=10.0.0.11"`];
    }
    const problems: string[] = [];
    if (!NAME.test(name)) {
        problems.push(`host name "${name}" must be 1-32 lower-case letters, digits or '-', starting with a letter (it is used in container and resource names)`);
    }
    if (address !== undefined && !IPV4.test(address)) {
        problems.push(`"${address}" is not an IPv4 address; every libmesos process advertises it, so give the host's routable IPv4 address`);
    } else if (address !== undefined) {
        const unusable = unusableAddress(address);
        if (unusable !== undefined) {
            problems.push(`"${address}" is ${unusable}, not one a host can be reached at; every service binds and advertises it, so give the host's own IPv4 address`);
        }
    }
    return problems;
}

/**
 * Why a valid IPv4 address cannot be a host's (RFC 6890), or undefined if it can. Loopback
 * (127.0.0.0/8) can: on one machine it is the host (the dev and e2e stacks); that every host
 * is on it or none is a rule across hosts.
 */
export function unusableAddress(address: string): string | undefined {
    const first = Number(address.split(".")[0]);
    if (first === 0) {
        return 'in 0.0.0.0/8, "this network" (0.0.0.0 means any address)';
    }
    if (address === "255.255.255.255") {
        return "the limited broadcast address";
    }
    if (first >= 224 && first <= 239) {
        return "a multicast address (224.0.0.0/4)";
    }
    if (first >= 240) {
        return "a reserved address (240.0.0.0/4)";
    }
    return undefined;
}

/** Whether an address is a loopback one: it reaches only the machine it is used on. */
export const isLoopback = (address: string) => address.startsWith("127.");

const hostEntry = (requireAddress: boolean, allowEmpty = false) =>
    z.string().superRefine((entry, ctx) => {
        if (allowEmpty && entry === "") {
            return;
        }
        for (const message of hostEntryProblems(entry, requireAddress)) {
            ctx.addIssue({ code: "custom", message });
        }
    });

/**
 * Every key the program reads, with its kind, constraints and default. Pulumi.yaml declares
 * the same keys, kinds and defaults (a test keeps the two in step); this table is what the
 * program enforces, since `pulumi.runtime.setMocks` and older CLIs do not apply project defaults.
 */
export const KEYS = {
    runtime: {
        visible: STRUCTURE,
        kind: "string",
        schema: z.enum(["docker", "systemd"], { error: 'must be "docker" or "systemd"' }).default("docker"),
        description:
            "How services are deployed: docker (a docker.Image and docker.Container per service per host) or systemd (a unit per service written over SSH, running the service's container).",
    },
    engine: {
        visible: STRUCTURE,
        kind: "string",
        schema: z.enum(["local", "ssh"], { error: 'must be "local" or "ssh"' }).default("local"),
        description:
            "Where the docker runtime finds each host's Docker engine: local (this machine's engine, single-host stacks) or ssh (ssh://sshUser@address:sshPort, one provider per host).",
    },
    sshUser: {
        kind: "string",
        schema: z.string().regex(/^[a-z_][a-z0-9_-]*$/, { error: "must be a Unix user name" }).default("root"),
        description: "The SSH user on every host (engine: ssh, and the systemd runtime, which uses sudo when it is not root).",
    },
    sshPort: { kind: "integer", schema: port(22), description: "The SSH port on every host (engine: ssh, and the systemd runtime)." },
    sshPrivateKey: {
        kind: "string",
        secret: true,
        privateKey: true,
        schema: z.boolean().default(false),
        description:
            "The systemd runtime's SSH private key (OpenSSH or PEM), set with `pulumi config set --secret sshPrivateKey < KEYFILE`. Never stored or shown in plain text.",
    },
    registry: {
        kind: "string",
        schema: z
            .string()
            // Its first character starts every image reference, a word of `docker run` and `docker pull`.
            .regex(/^([a-z0-9][a-z0-9.-]*(:\d+)?(\/[a-z0-9._-]+)*)?$/, {
                error: 'must be empty or a registry host[:port][/path] starting with a letter or digit, e.g. "registry.example.com:5000"',
            })
            .default(""),
        description:
            "An outside registry the systemd runtime pulls the cluster's images from (REGISTRY/mesos-cluster/<service>:<version>); empty: the cluster's own (registryHost), or none when the hosts' engines already have them.",
    },
    masters: {
        visible: IN_NAMES,
        kind: "array",
        schema: z
            .array(hostEntry(true), { error: 'must be a list of "name=address" strings' })
            .min(1, { error: 'needs at least one master, e.g. ["m1=10.0.0.11"]' })
            .default(["local=127.0.0.1"]),
        description:
            "Master hosts as name=address. Each runs ZooKeeper, a Mesos master, Marathon and Chronos. The count must be odd; ZooKeeper ids follow the names' sorted order.",
    },
    agents: {
        visible: IN_NAMES,
        kind: "array",
        schema: z
            .array(hostEntry(false), { error: 'must be a list of "name=address" strings' })
            .min(1, { error: 'needs at least one agent, e.g. ["a1=10.0.0.21"], or a master\'s name to run an agent there' })
            .default(["local"]),
        description: "Agent hosts as name=address, or the name of a master host to run an agent on it too.",
    },
    clusterName: {
        kind: "string",
        schema: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, { error: "must be letters, digits, '.', '_' or '-'" }).default("mesos-cluster"),
        description: "The cluster's name, shown by the Mesos UI and Chronos.",
    },
    containerPrefix: {
        visible: "container names are recorded in each service's state in plain text",
        kind: "string",
        schema: z
            .string()
            .regex(/^([a-z0-9][a-z0-9_.-]*-)?$/, { error: "must be empty or lower-case letters, digits, '.', '_' or '-' ending in '-'" })
            .refine((p) => !p.startsWith("mesos-"), {
                error: (issue) =>
                    `"${String(issue.input)}" makes container names start with "mesos-", and a Mesos agent's Docker containerizer kills every such container as its own; choose another prefix`,
            })
            .default(""),
        description: "Prefix of every container name (names are PREFIX + service + '-' + host). Must not make a name start with 'mesos-'.",
    },
    dataRoot: {
        kind: "string",
        schema: z
            .string()
            .regex(/^\/([A-Za-z0-9_.\/-]|\{host\})*([A-Za-z0-9_.-]|\{host\})$/, {
                error: "must be an absolute path without a trailing '/'; '{host}' may stand for the host's name",
            })
            // Files are written under it on hosts, and under `npm run render`'s folder.
            .refine((p) => p.split("/").slice(1).every((s) => s !== "" && s !== "." && s !== ".."), {
                error: "must name each folder: no empty, '.' or '..' part (write the path it leads to)",
            })
            .default("/var/lib/mesos-cluster"),
        description:
            "Host directory under which every service keeps its data and logs (persistent across restarts). '{host}' in it is replaced by the host's name, for hosts that share one filesystem.",
    },
    logLevel: {
        kind: "string",
        schema: z.enum(["INFO", "WARNING", "ERROR"], { error: "must be INFO, WARNING or ERROR" }).default("INFO"),
        description: "Logging level of the Mesos masters and agents.",
    },
    readinessTimeoutSeconds: {
        kind: "integer",
        schema: z.int({ error: "must be a whole number of seconds" }).min(10, { error: "must be at least 10 seconds" }).max(3600, { error: "must be at most 3600 seconds" }).default(300),
        description: "How long a deploy waits for each service to report ready (health check) before it fails with the service's last log lines.",
    },
    authentication: {
        visible: STRUCTURE,
        kind: "boolean",
        schema: z.boolean({ error: "must be true or false" }).default(true),
        description:
            "Mesos framework and agent authentication (--authenticate_frameworks, --authenticate_agents); ZooKeeper ACLs that let only Mesos, Marathon, Chronos and Bamboo write their paths; and an operator login (user operator, a generated password: stack outputs operatorUser and operatorPassword) that the Mesos masters' and agents' read-write HTTP endpoints, Marathon's REST API, Chronos's job API and Bamboo's API and UI require. Every credential is generated and kept as a secret.",
    },
    readonlyAuthentication: {
        kind: "boolean",
        schema: z.boolean({ error: "must be true or false" }).default(true),
        description:
            "With authentication: the Mesos masters' and agents' read-only HTTP endpoints (state, metrics, sandboxes' files, the web UI's data) require the operator login too (--authenticate_http_readonly). False leaves them open to anyone who reaches the port.",
    },
    chronosMailServer: {
        kind: "string",
        schema: z
            .string()
            .regex(/^([A-Za-z0-9.-]+:\d{1,5})?$/, { error: 'must be empty or "host:port", e.g. "smtp.example.com:465"' })
            .default(""),
        description: "SMTP server Chronos sends job notifications through (host:port); empty: no mail.",
    },
    chronosMailUser: {
        kind: "string",
        schema: z.string().regex(/^[^\s"'\\]*$/, { error: "must not contain blanks, quotes or backslashes" }).default(""),
        description: "SMTP user for Chronos's mail.",
    },
    chronosMailFrom: {
        kind: "string",
        schema: z.string().regex(/^([^\s@]+@[^\s@]+)?$/, { error: "must be empty or an e-mail address" }).default(""),
        description: "Sender address of Chronos's mail.",
    },
    chronosMailSsl: {
        kind: "boolean",
        schema: z.boolean({ error: "must be true or false" }).default(false),
        description: "Whether Chronos talks to the SMTP server over SSL (SMTPS): Chronos then connects to port 465 whatever port chronosMailServer gives, so the port must be 465; Chronos has no STARTTLS.",
    },
    chronosMailPassword: {
        kind: "string",
        secret: true,
        word: "Chronos's image passes it as the word after --mail_password",
        schema: z.boolean().default(false),
        description: "SMTP password for Chronos's mail, set with `pulumi config set --secret chronosMailPassword`. Never stored or shown in plain text.",
    },
    bambooHosts: {
        visible: IN_NAMES,
        kind: "array",
        schema: z.array(hostEntry(false), { error: 'must be a list of "name=address" strings or host names' }).default([]),
        description:
            "Hosts that run Bamboo with HAProxy (service routing): name=address for an edge host of its own, or the name of a master or agent. Empty: no routing.",
    },
    bambooPort: {
        kind: "integer",
        visible: IN_URLS,
        schema: port(8000),
        description: "Bamboo's HTTP port (API and UI). With authentication, HAProxy serves it and requires the operator login, in front of Bamboo on bambooLocalPort.",
    },
    bambooLocalPort: {
        kind: "integer",
        schema: port(8001),
        description:
            "With authentication: the port Bamboo itself listens on, on 127.0.0.1 of its host, behind HAProxy's front on bambooPort (Bamboo has no authentication of its own). Must be free on that host's loopback address too.",
    },
    haproxyHttpPort: {
        visible: IN_URLS,
        kind: "integer",
        schema: port(80),
        description: "HAProxy's HTTP port on each Bamboo host: requests are routed to apps by the host rules set in Bamboo.",
    },
    servicePorts: {
        kind: "string",
        schema: portRange("10000-20000"),
        description: "Service ports: Marathon gives apps their service ports from this range, and HAProxy binds them on each Bamboo host.",
    },
    registryHost: {
        visible: IN_NAMES,
        kind: "string",
        schema: hostEntry(false, true).default(""),
        description:
            "The host that runs the cluster's Docker registry: name=address, or the name of a master or agent. Empty: none. When set, the systemd runtime and the agents pull from it.",
    },
    registryPort: { kind: "integer", visible: IN_URLS, schema: port(5000), description: "The cluster registry's port." },
    registryAuth: {
        visible: STRUCTURE,
        kind: "boolean",
        schema: z.boolean({ error: "must be true or false" }).default(false),
        description:
            "htpasswd authentication on the cluster registry, for the user mesos-cluster with a generated password (a secret stack output). Needs registryTlsCertificate.",
    },
    registryTlsCertificate: {
        kind: "string",
        schema: z
            .string()
            .regex(/^(-----BEGIN CERTIFICATE-----\r?\n[\s\S]+\r?\n-----END CERTIFICATE-----\s*)?$/, {
                error: 'must be empty or a PEM certificate chain ("-----BEGIN CERTIFICATE-----"); set it with `pulumi config set registryTlsCertificate < CERTFILE`',
            })
            .default(""),
        description:
            "PEM certificate (chain) the cluster registry serves TLS with; its key goes in registryTlsKey. Every host's Docker engine must trust its issuer. Empty: plain HTTP.",
    },
    registryTlsKey: {
        kind: "string",
        secret: true,
        privateKey: true,
        schema: z.boolean().default(false),
        description: "The registry certificate's private key, set with `pulumi config set --secret registryTlsKey < KEYFILE`. Never stored or shown in plain text.",
    },
    masterPort: { kind: "integer", visible: IN_URLS, schema: port(5050), description: "Mesos master port." },
    agentPort: { kind: "integer", visible: IN_URLS, schema: port(5051), description: "Mesos agent port." },
    marathonPort: { kind: "integer", visible: IN_URLS, schema: port(8080), description: "Marathon HTTP port." },
    chronosPort: {
        visible: IN_URLS,
        kind: "integer",
        schema: port(4400),
        description: "Chronos HTTP port (not 8080: Marathon has it on the same hosts).",
    },
    chronosLibprocessPort: { kind: "integer", schema: port(4401), description: "Chronos's libprocess port (the image's PORT1)." },
    agentTaskPorts: {
        kind: "string",
        schema: portRange("31000-32000"),
        description: "Host ports each agent offers to tasks (its ports resource).",
    },
    agentCpus: {
        kind: "integer",
        schema: z.int({ error: "must be a whole number: 0 to detect, or the CPUs to offer" }).min(0, { error: "must be 0 (detect) or a positive number of CPUs" }).default(0),
        description: "CPUs each agent offers; 0: the agent detects them.",
    },
    agentMemoryMb: {
        kind: "integer",
        schema: z.int({ error: "must be a whole number of MiB: 0 to detect" }).min(0, { error: "must be 0 (detect) or a positive number of MiB" }).default(0),
        description: "Memory (MiB) each agent offers; 0: the agent detects it.",
    },
    agentAttributes: {
        kind: "string",
        schema: z.string().regex(/^([A-Za-z0-9_.-]+:[A-Za-z0-9_.\/-]+(;[A-Za-z0-9_.-]+:[A-Za-z0-9_.\/-]+)*)?$/, { error: 'must be "key:value;key:value" or empty' }).default(""),
        description: "Attributes every agent advertises (key:value;key:value). Changing them makes agents refuse to restart until their meta/slaves/latest is removed.",
    },
    executorRegistrationTimeout: {
        kind: "string",
        schema: z.string().regex(/^\d+(secs|mins|hrs)$/, { error: 'must be a Mesos duration such as "10mins"' }).default("10mins"),
        description: "How long an agent waits for an executor to register; Docker image pulls need minutes.",
    },
    agentBatchSize: {
        kind: "string",
        schema: z
            .string()
            .regex(/^[1-9]\d{0,5}%?$/, { error: 'must be a number of agents ("5") or a percentage of them ("10%")' })
            .refine((v) => !v.endsWith("%") || Number(v.slice(0, -1)) <= 100, { error: "a percentage must be from 1% to 100%" })
            .default("10%"),
        description:
            "How many agents a change restarts at once, at most: a number, or a percentage of the agents (at least one). Each agent changes once the agent that many places before it (in name order) is ready again.",
    },
    zookeeperHeapMb: { kind: "integer", schema: heap(512), description: "ZooKeeper's JVM heap limit (-Xmx, MiB) on each master." },
    marathonHeapMb: { kind: "integer", schema: heap(1024), description: "Marathon's JVM heap limit (-Xmx, MiB) on each master." },
    chronosHeapMb: { kind: "integer", schema: heap(512), description: "Chronos's JVM heap limit (-Xmx, MiB) on each master." },
} satisfies Record<string, KeyDeclaration>;

type Keys = typeof KEYS;
/** The validated stack configuration, every default applied. */
export type ClusterConfig = { readonly [K in keyof Keys]: z.output<Keys[K]["schema"]> };
