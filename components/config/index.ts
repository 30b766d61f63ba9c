/**
 * The stack's configuration: every key with its own rules (keys.ts) and the rules that span
 * keys (rules.ts). parseConfig applies the keys' own rules; buildTopology applies the rest
 * together with those that need the derived layout, so that one error lists them all.
 */
import { z } from "zod";
import { CONFIG_NAMESPACE, ClusterConfig, ConfigError, ConfigKind, KEYS, KeyDeclaration, fullKey } from "./keys";
import { SECRETS_NEEDED } from "./rules";

export { CONFIG_NAMESPACE, ConfigError, KEYS, fullKey } from "./keys";
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

const schema = z.strictObject(
    Object.fromEntries(
        Object.entries(DECLARATIONS).map(([key, decl]) => [key, z.preprocess((v) => (typeof v === "string" ? decoders[decl.kind](v) : v), decl.schema)]),
    ),
);

function describePath(path: readonly PropertyKey[]): string {
    const [key, ...rest] = path;
    return `${fullKey(String(key))}${rest.map((p) => `[${String(p)}]`).join("")}`;
}

const PRIVATE_KEY = /^-----BEGIN ([A-Z]+ )?PRIVATE KEY-----\r?\n[\s\S]+\r?\n-----END ([A-Z]+ )?PRIVATE KEY-----\s*$/;

/** Options of parseConfig. */
export interface ParseOptions {
    /** Full keys Pulumi marks secret (`mesos-cluster:sshPrivateKey`). */
    readonly secretKeys?: ReadonlySet<string>;
    /**
     * Whether the secrets the stack calls for must be present. False for rendering, which
     * connects nowhere and reads no secret: they are then taken as set.
     */
    readonly requireSecrets?: boolean;
}

/**
 * Validates a stack's configuration: `raw` maps full keys (`mesos-cluster:masters`) to the
 * strings Pulumi hands a program. Keys of other namespaces (providers') are ignored. Secret
 * keys are checked (set as secrets, well-formed) and come back only as `true`: their values
 * are read as Pulumi secrets where they are used.
 */
export function parseConfig(raw: Readonly<Record<string, string>>, options: ParseOptions = {}): ClusterConfig {
    const ours: Record<string, unknown> = {};
    for (const [full, value] of Object.entries(raw)) {
        const [ns, key] = full.split(":");
        if (ns === CONFIG_NAMESPACE && key !== undefined) {
            ours[key] = value;
        }
    }
    const problems: string[] = [];
    for (const [key, decl] of Object.entries(DECLARATIONS).filter(([, d]) => d.secret)) {
        const value = ours[key];
        if (value === undefined) {
            continue;
        }
        const full = fullKey(key);
        if (!(options.secretKeys ?? new Set()).has(full)) {
            problems.push(`${full}: is stored in plain text; remove it (pulumi config rm ${key}) and set it again with \`pulumi config set --secret ${key}\``);
        } else if (decl.privateKey && (typeof value !== "string" || !PRIVATE_KEY.test(value))) {
            problems.push(`${full}: is not a private key (expected an OpenSSH or PEM block "-----BEGIN ... PRIVATE KEY-----"); set it from the key file: \`pulumi config set --secret ${key} < KEYFILE\``);
        }
        ours[key] = true;
    }
    const result = schema.safeParse(ours);
    if (!result.success) {
        problems.push(
            ...result.error.issues.map((issue) => {
                if (issue.code === "unrecognized_keys") {
                    return issue.keys.map((k) => `${fullKey(k)}: unknown key; remove it or check its spelling (the keys are listed in Pulumi.yaml)`).join("\n  - ");
                }
                return `${describePath(issue.path)}: ${issue.message}`;
            }),
        );
    }
    let config = result.data as ClusterConfig | undefined;
    if (config !== undefined) {
        for (const [key, need] of Object.entries(SECRETS_NEEDED)) {
            if (config[key as keyof ClusterConfig] !== true && need.when(config)) {
                if (options.requireSecrets === false) {
                    // Rendering: the operator sets what the stack calls for before `pulumi up`.
                    config = { ...config, [key]: true };
                } else {
                    problems.push(`${fullKey(key)}: ${need.why}; set it with \`pulumi config set --secret ${key}${need.from}\``);
                }
            }
        }
    }
    if (problems.length > 0 || config === undefined) {
        throw new ConfigError(problems);
    }
    return config;
}
