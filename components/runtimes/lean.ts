/**
 * Resources of the docker and command providers registered as their generated classes register
 * them (same type token, same inputs, same options and plugin version) but carrying only the
 * outputs the program reads.
 *
 * The generated class sets every property the type has, inputs and outputs alike (a
 * docker.Container some 150), and the SDK makes an Output with its own promises for each:
 * at 1,000 agents that was a third of a preview's time and most of its memory (BENCHMARKS.md).
 * The engine sees the same request either way; test/lean.test.ts registers both and compares.
 */
import * as remote from "@pulumi/command/remote";
import { remote as commandInputs } from "@pulumi/command/types/input";
import { getVersion as commandVersion } from "@pulumi/command/utilities";
import * as docker from "@pulumi/docker";
import { getVersion } from "@pulumi/docker/utilities";
import * as pulumi from "@pulumi/pulumi";

/** The options the generated classes add: the plugin version the engine loads. */
const defaults = (): pulumi.CustomResourceOptions => ({ version: getVersion() });

/** Connections made by `completeConnection`, which a Command takes as they are. */
const completed = new WeakSet<object>();

/**
 * A connection completed with the provider's defaults and made secret, as the generated class
 * does for each command: done once, it serves every command on a host (three Outputs fewer a
 * command, at thousands of agents: BENCHMARKS.md).
 */
export function completeConnection(connection: pulumi.Output<commandInputs.ConnectionArgs>): pulumi.Output<commandInputs.ConnectionArgs> {
    const done = pulumi.secret(connection.apply(commandInputs.connectionArgsProvideDefaults));
    completed.add(done);
    return done;
}

/**
 * A `command:remote:Command` without its unread outputs (stdout and stderr stay secret outputs
 * in the state). Its connection is completed with the provider's defaults and made secret, and
 * its triggers replace it, as the generated class does.
 */
export class Command extends pulumi.CustomResource {
    constructor(name: string, args: remote.CommandArgs, opts: pulumi.CustomResourceOptions = {}) {
        const connection = completed.has(args.connection as object)
            ? args.connection
            : pulumi.secret(pulumi.output(args.connection).apply(commandInputs.connectionArgsProvideDefaults));
        const props: pulumi.Inputs = { ...args, connection };
        let options = pulumi.mergeOptions({ version: commandVersion() }, opts);
        options = pulumi.mergeOptions(options, { additionalSecretOutputs: ["connection"] });
        options = pulumi.mergeOptions(options, { replaceOnChanges: ["triggers[*]"] });
        super("command:remote:Command", name, props, options);
    }
}

/** A `docker:index/container:Container` with no outputs: nothing reads a container's state. */
export class Container extends pulumi.CustomResource {
    constructor(name: string, args: docker.ContainerArgs, opts: pulumi.CustomResourceOptions = {}) {
        super("docker:index/container:Container", name, { ...args }, pulumi.mergeOptions(defaults(), opts));
    }
}

/**
 * A docker provider (an engine) with no outputs. Its configuration is passed as the generated
 * class passes it: `host` falling back to DOCKER_HOST, `registryAuth` as JSON.
 */
export class DockerProvider extends pulumi.ProviderResource {
    constructor(name: string, args: Pick<docker.ProviderArgs, "host" | "registryAuth">, opts: pulumi.ResourceOptions = {}) {
        // As the generated class's getEnv: an empty DOCKER_HOST counts as unset.
        const props: pulumi.Inputs = { host: args.host ?? (process.env.DOCKER_HOST || undefined) };
        if (args.registryAuth !== undefined) {
            props.registryAuth = pulumi.output(args.registryAuth).apply(JSON.stringify);
        }
        super("docker", name, props, pulumi.mergeOptions(defaults(), opts));
    }
}
