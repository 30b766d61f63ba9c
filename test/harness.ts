import { generateKeyPairSync } from "crypto";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE, ConfigError } from "../components/config";
import { stackTopology } from "../components/composition";
import { MockOptions, Registered, installMocks } from "./mocks";
import { readStackConfig, secretKeys, stackNames as listStacks } from "../scripts/stackFile";

// Internal to the SDK (absent from its typings): resolves once every pending registration has.
const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs: () => Promise<void> };

export const ROOT = path.resolve(__dirname, "..");

// Each evaluation loads the program afresh, and the SDK adds a process exit listener each time.
process.setMaxListeners(100);

/** Every stack file in the repository, by stack name. */
export const stackNames = () => listStacks(ROOT);

/** A throwaway private key, made once per test process. */
export const TEST_PRIVATE_KEY = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
/** A throwaway key for the registry's TLS certificate. */
export const TEST_TLS_KEY = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();

/** Values the tests give the secret keys, as an operator would with `pulumi config set --secret`. */
export const TEST_SECRETS: Record<string, string> = {
    [`${CONFIG_NAMESPACE}:sshPrivateKey`]: TEST_PRIVATE_KEY,
    [`${CONFIG_NAMESPACE}:chronosMailPassword`]: "mail-Pa55word with spaces & 'quotes'",
    [`${CONFIG_NAMESPACE}:registryTlsKey`]: TEST_TLS_KEY,
};


/**
 * The config a Pulumi CLI hands the program for `stack`. Secrets cannot be decrypted here, so
 * the secret keys get their TEST_SECRETS values: the SSH key always, the mail password where
 * the stack's mail has a user, the registry's key where it has a certificate (as the stack's
 * comments tell the operator to set).
 */
export function stackConfig(stack: string): Record<string, string> {
    const { values } = readStackConfig(ROOT, stack);
    const set = (k: string) => (values[`${CONFIG_NAMESPACE}:${k}`] ?? "") !== "";
    const wanted = (key: string) =>
        key.endsWith(":chronosMailPassword") ? set("chronosMailUser") : key.endsWith(":registryTlsKey") ? set("registryTlsCertificate") : true;
    for (const key of secretKeys().filter(wanted)) {
        values[key] = TEST_SECRETS[key];
    }
    return values;
}

export type { Registered } from "./mocks";
export { secretKeys } from "../scripts/stackFile";
export { mockPassword } from "./mocks";

export interface Evaluation {
    readonly resources: Registered[];
    readonly outputs: Record<string, unknown>;
    /** Resources of one type, in registration order. */
    ofType(type: string): Registered[];
    byName(name: string): Registered;
}

function resolve<T>(o: pulumi.Output<T>): Promise<T> {
    return new Promise((res) => o.apply((v) => res(v)));
}

/** The registrations of the latest evaluation, also when the program threw. */
let lastRegistered: readonly Registered[] = [];

/**
 * Runs `index.ts` under `pulumi.runtime.setMocks` with `config` and records every resource
 * registration. Throws whatever the program throws (e.g. a ConfigError).
 */
export async function evaluate(config: Record<string, string>, stack = "test", secret: readonly string[] = secretKeys(), mocks: MockOptions = {}): Promise<Evaluation> {
    const registered = await installMocks(CONFIG_NAMESPACE, stack, mocks);
    lastRegistered = registered;
    pulumi.runtime.setAllConfig(config, secret.filter((k) => k in config));

    let program: Record<string, unknown> = {};
    // The program turns stack traces off for the rest of its run (cluster.ts); a test's own
    // failures, after it, still need them.
    const stackTraceLimit = Error.stackTraceLimit;
    try {
        jest.isolateModules(() => {
            program = require("../index");
        });
    } finally {
        lastStackTraceLimit = Error.stackTraceLimit;
        Error.stackTraceLimit = stackTraceLimit;
    }
    const outputs: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(program)) {
        if (pulumi.Output.isInstance(v)) {
            const value = await resolve(v);
            // Secret outputs keep the mark that registered inputs carry (see isSecret).
            outputs[k] = (await pulumi.isSecret(v)) ? { [SIG_KEY]: SECRET_SIG, value } : value;
        } else if (v !== undefined) {
            outputs[k] = v;
        }
    }
    await waitForRPCs();
    return {
        resources: registered,
        outputs,
        ofType: (type) => registered.filter((r) => r.type === type),
        byName: (name) => {
            const r = registered.find((x) => x.name === name);
            if (r === undefined) {
                throw new Error(`no resource named ${name}; have ${registered.map((x) => x.name).join(", ")}`);
            }
            return r;
        },
    };
}

/** The stack-trace limit the last evaluated program left for the rest of its run. */
export let lastStackTraceLimit = Error.stackTraceLimit;

/** Like `evaluate`, but returns the error the program threw and how many resources it registered first. */
export async function evaluateFailure(config: Record<string, string>, secret?: readonly string[]): Promise<{ error: Error; registered: number }> {
    try {
        await evaluate(config, "test", secret);
    } catch (error) {
        // Registrations made before the throw finish arriving first.
        await waitForRPCs().catch(() => undefined);
        return { error: error as Error, registered: lastRegistered.length };
    }
    throw new Error(`expected the program to fail, but it registered ${lastRegistered.length} resources`);
}

/** The signature key and value with which serialized inputs mark a secret. */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** Whether a raw registered input value is marked secret. */
export function isSecret(value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/** A raw registered input with every secret marker removed, for reading values. */
export function plain(value: any): any {
    if (isSecret(value)) {
        return plain(value.value);
    }
    if (Array.isArray(value)) {
        return value.map(plain);
    }
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
    }
    return value;
}

/**
 * The problems the pure layers refuse `raw` for, as the program reads it (every declared
 * secret set as one); [] if they accept it. Anything but a ConfigError is thrown on.
 */
export function problemsOf(raw: Record<string, string>, options: { requireSecrets?: boolean; secretKeys?: readonly string[] } = {}): string[] {
    try {
        stackTopology(raw, { requireSecrets: options.requireSecrets, secretKeys: new Set(options.secretKeys ?? secretKeys()) });
        return [];
    } catch (e) {
        if (e instanceof ConfigError) {
            return [...e.problems];
        }
        throw e;
    }
}
