/**
 * The stack's configuration: every key with its own rules (keys.ts) and the rules that span
 * keys (rules.ts). readConfig applies the keys' own rules and reports every problem without
 * stopping; the topology applies the rest together with those that need the derived layout,
 * so that one error lists them all.
 */
import { z } from "zod";
import { CONFIG_NAMESPACE, ClusterConfig, ConfigError, ConfigKind, KEYS, KeyDeclaration, fullKey } from "./keys";
import { SECRETS_NEEDED } from "./rules";

export { CONFIG_NAMESPACE, ConfigError, KEYS, fullKey, hostEntryProblems, isLoopback } from "./keys";
export type { ClusterConfig, ConfigKind, KeyDeclaration } from "./keys";
export { crossKeyProblems } from "./rules";

const decoders: Record<ConfigKind, (raw: string) => unknown> = {
    string: (raw) => raw,
    integer: (raw) => (/^-?\d+$/.test(raw.trim()) ? Number(raw) : raw),
    boolean: (raw) => (raw === "true" ? true : raw === "false" ? false : raw),
    array: (raw) => {
        try {
            return JSON.parse(raw);
        } catch {
            return raw;
        }
    },
};

const DECLARATIONS = KEYS as Readonly<Record<string, KeyDeclaration>>;

/** Each key's schema, reading the string Pulumi hands the program as the key's kind. */
const schemas: Record<string, z.ZodType> = Object.fromEntries(
    Object.entries(DECLARATIONS).map(([key, decl]) => [key, z.preprocess((v) => (typeof v === "string" ? decoders[decl.kind](v) : v), decl.schema)]),
);

function describePath(path: readonly PropertyKey[]): string {
    const [key, ...rest] = path;
    return `${fullKey(String(key))}${rest.map((p) => `[${String(p)}]`).join("")}`;
}

const PRIVATE_KEY = /^-----BEGIN ([A-Z]+ )?PRIVATE KEY-----\r?\n[\s\S]+\r?\n-----END ([A-Z]+ )?PRIVATE KEY-----\s*$/;

/** Options of readConfig. */
export interface ParseOptions {
    /** Full keys Pulumi marks secret (`mesos-cluster:sshPrivateKey`). */
    readonly secretKeys?: ReadonlySet<string>;
    /**
     * Whether the secrets the stack calls for must be present. False for rendering, which
     * connects nowhere and reads no secret: they are then taken as set.
     */
    readonly requireSecrets?: boolean;
}

/** A stack's configuration as read, whether or not every key is valid. */
export interface ConfigReading {
    /**
     * Every key: its value where valid, its default where not (`invalid` lists those), and the
     * host lists' entries as given, each checked again where the hosts are resolved.
     */
    readonly config: ClusterConfig;
    /** Each key's own problems, and those of the secrets the stack calls for. */
    readonly problems: readonly string[];
    /** Full keys whose value is invalid: a rule that reads one says nothing about it. */
    readonly invalid: ReadonlySet<string>;
    /** Texts no problem may show: those of keys set with --secret (secretTexts). */
    readonly secretTexts: readonly string[];
}

/**
 * The texts of the keys set with `pulumi config set --secret` that the program does not
 * declare secret: each value, and a list's entries and their names and addresses. The program
 * keeps them secret wherever they are used, and never shows them in a message.
 */
export function secretTexts(raw: Readonly<Record<string, string>>, secretKeys: ReadonlySet<string> = new Set()): string[] {
    const texts = Object.entries(raw)
        .filter(([full]) => secretKeys.has(full) && full.startsWith(`${CONFIG_NAMESPACE}:`))
        .filter(([full]) => DECLARATIONS[full.slice(CONFIG_NAMESPACE.length + 1)]?.secret !== true)
        .flatMap(([, value]) => {
            let entries: unknown = undefined;
            try {
                entries = JSON.parse(value);
            } catch {
                // Not a list: the value alone.
            }
            const parts = Array.isArray(entries) ? entries.filter((e): e is string => typeof e === "string").flatMap((e) => [e, ...e.split("=")]) : [];
            return [value, ...parts];
        });
    return [...new Set(texts.filter((t) => t !== ""))];
}

/** `problems` with every secret text replaced by [secret] (whole words only, longest first). */
export function redact(problems: readonly string[], texts: readonly string[]): string[] {
    const sorted = [...texts].sort((a, b) => b.length - a.length);
    const escape = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return problems.map((p) => sorted.reduce((q, t) => q.replace(new RegExp(`(?<![A-Za-z0-9])${escape(t)}(?![A-Za-z0-9])`, "g"), "[secret]"), p));
}

/** Keys whose entries are hosts: checked entry by entry, so that one bad entry leaves the others to check. */
const HOST_LISTS = new Set(["masters", "agents", "bambooHosts", "registryHost"]);

/** Whether a problem's text names `full` (`mesos-cluster:registry`, not `…:registryHost`). */
export function mentions(problem: string, full: string): boolean {
    // Full keys are letters after the namespace: nothing in them a pattern would read.
    return new RegExp(`${full}(?![A-Za-z0-9])`).test(problem);
}

/**
 * Reads a stack's configuration: `raw` maps full keys (`mesos-cluster:masters`) to the strings
 * Pulumi hands a program. Keys of other namespaces (providers') are ignored. Secret keys are
 * checked (set as secrets, well-formed) and come back only as `true`: their values are read as
 * Pulumi secrets where they are used. Never throws: a key with a bad value is reported and its
 * default stands in, so that every other rule still runs.
 */
export function readConfig(raw: Readonly<Record<string, string>>, options: ParseOptions = {}): ConfigReading {
    const ours: Record<string, unknown> = {};
    for (const [full, value] of Object.entries(raw)) {
        const [ns, key] = full.split(":");
        if (ns === CONFIG_NAMESPACE && key !== undefined) {
            ours[key] = value;
        }
    }
    const problems: string[] = [];
    const invalid = new Set<string>();
    for (const key of Object.keys(ours).filter((k) => !(k in DECLARATIONS))) {
        problems.push(`${fullKey(key)}: unknown key; remove it or check its spelling (the keys are listed in Pulumi.yaml)`);
    }
    for (const key of Object.keys(ours).filter((k) => DECLARATIONS[k]?.visible !== undefined && (options.secretKeys ?? new Set()).has(fullKey(k)))) {
        problems.push(
            `${fullKey(key)}: is set as a secret, but it cannot be kept one: ${DECLARATIONS[key].visible}; set it again without --secret: \`pulumi config set ${key} VALUE\``,
        );
    }
    const values: Record<string, unknown> = {};
    for (const [key, decl] of Object.entries(DECLARATIONS)) {
        const full = fullKey(key);
        let value = ours[key];
        if (decl.secret && value !== undefined) {
            if (!(options.secretKeys ?? new Set()).has(full)) {
                problems.push(`${full}: is stored in plain text; remove it (pulumi config rm ${key}) and set it again with \`pulumi config set --secret ${key}\``);
            } else if (decl.privateKey && (typeof value !== "string" || !PRIVATE_KEY.test(value))) {
                problems.push(`${full}: is not a private key (expected an OpenSSH or PEM block "-----BEGIN ... PRIVATE KEY-----"); set it from the key file: \`pulumi config set --secret ${key} < KEYFILE\``);
            } else if (decl.word && typeof value === "string" && value.startsWith("-")) {
                // The value itself is never shown: it is a secret.
                problems.push(`${full}: begins with "-", and ${decl.word}, where it would be read as an option; set one that does not with \`pulumi config set --secret ${key}\``);
            }
            value = true;
        }
        const result = schemas[key].safeParse(value);
        if (result.success) {
            values[key] = result.data;
            continue;
        }
        problems.push(...result.error.issues.map((issue) => `${describePath([key, ...issue.path])}: ${issue.message}`));
        const decoded = typeof value === "string" ? decoders[decl.kind](value) : value;
        const entries = decl.kind === "array" ? Array.isArray(decoded) && decoded.every((e) => typeof e === "string") : typeof decoded === "string";
        if (HOST_LISTS.has(key) && entries) {
            // Entries as given: the hosts' resolution skips the bad ones, and still knows their names.
            values[key] = decoded;
        } else {
            invalid.add(full);
            // A host list that is not one stands for no hosts, rather than the default's.
            values[key] = HOST_LISTS.has(key) ? (decl.kind === "array" ? [] : "") : decl.schema.parse(undefined);
        }
    }
    let config = values as ClusterConfig;
    const derived: string[] = [];
    for (const [key, need] of Object.entries(SECRETS_NEEDED)) {
        if (config[key as keyof ClusterConfig] !== true && need.when(config)) {
            if (options.requireSecrets === false) {
                // Rendering: the operator sets what the stack calls for before `pulumi up`.
                config = { ...config, [key]: true };
            } else {
                derived.push(`${fullKey(key)}: ${need.why}; set it with \`pulumi config set --secret ${key}${need.from}\``);
            }
        }
    }
    problems.push(...derived.filter((p) => ![...invalid].some((k) => mentions(p, k))));
    return { config, problems, invalid, secretTexts: secretTexts(raw, options.secretKeys) };
}

/** A stack's configuration, every key valid on its own; a ConfigError lists what is not. */
export function parseConfig(raw: Readonly<Record<string, string>>, options: ParseOptions = {}): ClusterConfig {
    const { config, problems, secretTexts: texts } = readConfig(raw, options);
    if (problems.length > 0) {
        throw new ConfigError(redact(problems, texts));
    }
    return config;
}
