import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { CONFIG_NAMESPACE } from "../components/config";

// Internal to the SDK (absent from its typings): resolves once every pending registration has.
const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs: () => Promise<void> };

export const ROOT = path.resolve(__dirname, "..");

/** Every stack file in the repository, by stack name. */
export function stackNames(): string[] {
    return fs
        .readdirSync(ROOT)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

function asConfigString(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * The config a Pulumi CLI hands the program for `stack`: the project's declared defaults,
 * overlaid with the stack file's values, every value as a string (structured ones as JSON).
 */
export function stackConfig(stack: string): Record<string, string> {
    const project = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
    const result: Record<string, string> = {};
    for (const [key, decl] of Object.entries<{ default?: unknown }>(project.config ?? {})) {
        if (decl.default !== undefined) {
            result[key.includes(":") ? key : `${CONFIG_NAMESPACE}:${key}`] = asConfigString(decl.default);
        }
    }
    const stackFile = parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8"));
    for (const [key, value] of Object.entries<unknown>(stackFile?.config ?? {})) {
        result[key] = asConfigString(value);
    }
    return result;
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

function mockState(type: string, name: string, inputs: Record<string, any>): Record<string, any> {
    // Only what the program reads back from a provider: a built image's ID.
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
export async function evaluate(config: Record<string, string>, stack = "test"): Promise<Evaluation> {
    const registered: Registered[] = [];
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
    pulumi.runtime.setAllConfig(config);

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
export async function evaluateFailure(config: Record<string, string>): Promise<{ error: Error; registered: number }> {
    let count = 0;
    try {
        const e = await evaluate(config);
        count = e.resources.length;
    } catch (error) {
        return { error: error as Error, registered: pulumi.runtime.getMonitor() ? countRegistered() : 0 };
    }
    throw new Error(`expected the program to fail, but it registered ${count} resources`);
}

function countRegistered(): number {
    const monitor = pulumi.runtime.getMonitor() as any;
    return monitor.getRegisteredResources?.().size ?? 0;
}
