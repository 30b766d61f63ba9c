import { createHash, generateKeyPairSync } from "crypto";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE } from "../components/config";
import { projectDeclarations, readStackConfig, stackNames as listStacks } from "../scripts/stackFile";

// Internal to the SDK (absent from its typings): resolves once every pending registration has.
const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs: () => Promise<void> };

export const ROOT = path.resolve(__dirname, "..");

// Each evaluation loads the program afresh, and the SDK adds a process exit listener each time.
process.setMaxListeners(100);

/** Every stack file in the repository, by stack name. */
export const stackNames = () => listStacks(ROOT);

/** A throwaway private key, made once per test process. */
export const TEST_PRIVATE_KEY = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();

/** Values the tests give the secret keys, as an operator would with `pulumi config set --secret`. */
export const TEST_SECRETS: Record<string, string> = {
    [`${CONFIG_NAMESPACE}:sshPrivateKey`]: TEST_PRIVATE_KEY,
    [`${CONFIG_NAMESPACE}:chronosMailPassword`]: "mail-Pa55word with spaces & 'quotes'",
};

/** The keys Pulumi.yaml declares `secret: true`. */
export function secretKeys(): string[] {
    return Object.entries(projectDeclarations(ROOT))
        .filter(([, d]) => d.secret)
        .map(([k]) => k);
}

/**
 * The config a Pulumi CLI hands the program for `stack`. Secrets cannot be decrypted here, so
 * the secret keys get their TEST_SECRETS values: the SSH key always, the mail password where
 * the stack's mail has a user (as its README tells the operator to set).
 */
export function stackConfig(stack: string): Record<string, string> {
    const { values } = readStackConfig(ROOT, stack);
    const wanted = (key: string) => !key.endsWith(":chronosMailPassword") || (values[`${CONFIG_NAMESPACE}:chronosMailUser`] ?? "") !== "";
    for (const key of secretKeys().filter(wanted)) {
        values[key] = TEST_SECRETS[key];
    }
    return values;
}

/** A resource as the program registered it, with the options mocks do not pass on. */
export interface Registered {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    /** The parent's URN ("" for none). */
    readonly parent: string;
    readonly custom: boolean;
    /** The provider reference (`urn::id`), "" for the default provider. */
    readonly provider: string;
    readonly inputs: Record<string, any>;
    readonly deleteBeforeReplace: boolean;
    readonly dependencies: readonly string[];
    readonly additionalSecretOutputs: readonly string[];
}

export interface Evaluation {
    readonly resources: Registered[];
    readonly outputs: Record<string, unknown>;
    /** Resources of one type, in registration order. */
    ofType(type: string): Registered[];
    byName(name: string): Registered;
}

/** A generated password as the random provider would make it: letters and digits, `length` long. */
export function mockPassword(name: string, length: number): string {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    const digest = createHash("sha512").update(name).digest();
    return Array.from({ length }, (_, i) => alphabet[digest[i % digest.length] % alphabet.length]).join("");
}

function mockState(type: string, name: string, inputs: Record<string, any>): Record<string, any> {
    // Only what the program reads back from a provider: a built image's ID, a password.
    if (type === "random:index/randomPassword:RandomPassword") {
        return { ...inputs, result: mockPassword(name, inputs.length) };
    }
    if (type === "docker:index/image:Image") {
        const id = Buffer.from(name).toString("hex").padEnd(64, "0").slice(0, 64);
        return { ...inputs, repoDigest: `sha256:${id}` };
    }
    return inputs;
}

function resolve<T>(o: pulumi.Output<T>): Promise<T> {
    return new Promise((res) => o.apply((v) => res(v)));
}

/**
 * Runs `index.ts` under `pulumi.runtime.setMocks` with `config` and records every resource
 * registration. Throws whatever the program throws (e.g. a ConfigError).
 */
/** The registrations of the latest evaluation, also when the program threw. */
let lastRegistered: readonly Registered[] = [];

export async function evaluate(config: Record<string, string>, stack = "test", secret: readonly string[] = secretKeys()): Promise<Evaluation> {
    const registered: Registered[] = [];
    lastRegistered = registered;
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => ({ id: `${args.name}-id`, state: mockState(args.type, args.name, args.inputs) }),
            call: (args) => args.inputs,
        },
        CONFIG_NAMESPACE,
        stack,
        false,
    );
    const monitor = pulumi.runtime.getMonitor() as any;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: (err: any, resp: any) => void) =>
        register(req, (err: any, resp: any) => {
            if (!err) {
                registered.push({
                    type: req.getType(),
                    name: req.getName(),
                    urn: resp.getUrn(),
                    parent: req.getParent(),
                    custom: req.getCustom(),
                    provider: req.getProvider(),
                    inputs: req.getObject()?.toJavaScript() ?? {},
                    deleteBeforeReplace: req.getDeletebeforereplace(),
                    dependencies: req.getDependenciesList(),
                    additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
                });
            }
            callback(err, resp);
        });
    pulumi.runtime.setAllConfig(config, secret.filter((k) => k in config));

    let program: Record<string, unknown> = {};
    jest.isolateModules(() => {
        program = require("../index");
    });
    const outputs: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(program)) {
        outputs[k] = pulumi.Output.isInstance(v) ? await resolve(v) : v;
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
