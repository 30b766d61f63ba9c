/**
 * Pulumi's mocks, plus a record of every registration with the options mocks do not pass on.
 * Free of jest, so that the benchmark (bench/) evaluates the program exactly as the tests do.
 */
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";

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
    /** The state the mock provider returned (what dependents read). */
    readonly outputs: Record<string, any>;
}

/** What the mock providers report instead of their defaults. */
export interface MockOptions {
    /** A pushed image's digest by its image name, as a real push reported it. */
    readonly imageDigests?: Readonly<Record<string, string>>;
}

/** A generated password as the random provider would make it: letters and digits, `length` long. */
export function mockPassword(name: string, length: number): string {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    const digest = createHash("sha512").update(name).digest();
    return Array.from({ length }, (_, i) => alphabet[digest[i % digest.length] % alphabet.length]).join("");
}

function mockState(type: string, name: string, inputs: Record<string, any>, options: MockOptions): Record<string, any> {
    // Only what the program reads back from a provider: a built image's ID, a password.
    if (type === "random:index/randomPassword:RandomPassword") {
        return { ...inputs, result: mockPassword(name, inputs.length) };
    }
    if (type === "docker:index/image:Image") {
        const id = Buffer.from(name).toString("hex").padEnd(64, "0").slice(0, 64);
        // A pushed image's digest names its repository, as the provider reports it.
        const pushed = inputs.skipPush !== true && typeof inputs.imageName === "string";
        const reported = pushed ? options.imageDigests?.[inputs.imageName] : undefined;
        return { ...inputs, repoDigest: reported ?? (pushed ? `${inputs.imageName.replace(/:[^:/]+$/, "")}@sha256:${id}` : `sha256:${id}`) };
    }
    return inputs;
}

/**
 * Sets Pulumi's mocks for `project`/`stack` and returns the list that every registration from
 * now on is appended to, as it is acknowledged.
 */
export async function installMocks(project: string, stack: string, options: MockOptions = {}): Promise<Registered[]> {
    const registered: Registered[] = [];
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => ({ id: `${args.name}-id`, state: mockState(args.type, args.name, args.inputs, options) }),
            call: (args) => args.inputs,
        },
        project,
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
                    outputs: resp?.getObject()?.toJavaScript() ?? {},
                });
            }
            callback(err, resp);
        });
    return registered;
}
