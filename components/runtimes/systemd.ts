import type { types } from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { HostFile, ServiceSpec, dockerClientConfig, fillTemplate, imageRef } from "../spec";
import { Host } from "../topology/types";
import { Command, completeConnection } from "./lean";
import { ImagePublisher } from "./publish";
import { SecretValues, ServiceRuntime, getOrMake, secretValues } from "./runtime";
import { shellProgram } from "./shellProgram";
import { HostFileTemplate, PULL_LOGIN, hostFiles, pullFrom, unitName } from "./systemdUnit";

/** Arguments of the systemd runtime. */
export interface SystemdRuntimeArgs {
    readonly sshUser: string;
    readonly sshPort: number;
    /** A Pulumi secret. */
    readonly sshPrivateKey: pulumi.Output<string>;
    /** Registry the hosts pull images from; "" for images already on the hosts. */
    readonly registry: string;
    /**
     * The registry wants a login as `username`, with the password the cluster generates and
     * hands over (RuntimeSecrets): pulls use a Docker client config made from it, pushes the
     * password itself.
     */
    readonly registryLogin?: { readonly username: string };
    /**
     * The registry is the cluster's own: this machine's Docker engine builds each image from
     * `imagesDir` and pushes it there before the units that run it.
     */
    readonly push?: { readonly imagesDir: string };
}

/** Single-quotes a word for a POSIX shell. */
export function shellQuote(word: string): string {
    return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A unit's create step, with its files on stdin: arguments UNIT IMAGE PULL CONTAINER TIMEOUT HEALTH... */
export const CREATE_SCRIPT = shellProgram("unit-create.sh");

/** A unit's delete step: arguments UNIT PATH... */
export const DELETE_SCRIPT = shellProgram("unit-delete.sh");

/** The stdin that carries a service's files to CREATE_SCRIPT. */
export function bundle(files: readonly HostFile[]): string {
    return files.map((f) => `${f.mode} ${f.uid ?? 0} ${f.gid ?? 0} ${f.path} ${Buffer.from(f.content).toString("base64")}\n`).join("");
}

/**
 * The bundle of the files `files(ref)` names for the image `image` runs as, with every template
 * filled in: a Pulumi secret as soon as one file holds a secret. (One Output per service: at
 * thousands of agents each Output counts, BENCHMARKS.md.) `rendered` is those files for any one
 * reference: which secrets they name does not depend on it.
 */
function filledBundle(
    files: (ref: string) => readonly HostFileTemplate[],
    rendered: readonly HostFileTemplate[],
    image: pulumi.Output<string>,
    secrets: SecretValues,
): pulumi.Output<string> {
    const values = secretValues(
        rendered.map((f) => ({ container: f.path, template: f.template })),
        secrets,
    );
    const filled = (ref: string, v: Readonly<Record<string, string>>) => bundle(files(ref).map((f) => ({ ...f, content: fillTemplate(f.template, v) })));
    if (values === undefined) {
        return image.apply((ref) => filled(ref, {}));
    }
    // `values` is a secret, and so is what is made from it.
    return imageAndValues(image, values).apply(([ref, v]) => filled(ref, v));
}

/**
 * One Output for an image and a set of secret values, shared by the services alike: every agent,
 * when images are pushed to the cluster's registry (one image Output for all of them).
 */
const paired = new WeakMap<object, WeakMap<object, pulumi.Output<[string, Record<string, string>]>>>();
function imageAndValues(image: pulumi.Output<string>, values: pulumi.Output<Record<string, string>>): pulumi.Output<[string, Record<string, string>]> {
    const byValues = getOrMake(paired, image, () => new WeakMap<object, pulumi.Output<[string, Record<string, string>]>>());
    return getOrMake(byValues, values, () => pulumi.all([image, values]));
}

/**
 * Runs each spec as a systemd unit on its host, written over SSH by one `remote.Command`:
 * create and update write the files and (re)start the unit, delete removes them.
 */
export class SystemdRuntime implements ServiceRuntime {
    private readonly connections = new Map<string, pulumi.Output<types.input.remote.ConnectionArgs>>();
    /** Pushes images to the cluster's registry, when it is the cluster's own. */
    private readonly publisher?: ImagePublisher;
    /** The values the hosts' files are filled with: the specs' secrets and the pull login. */
    private readonly secrets: SecretValues;

    constructor(
        name: string,
        private readonly args: SystemdRuntimeArgs,
        parent: pulumi.Resource,
        handed: { readonly files: SecretValues; readonly registryPassword?: pulumi.Output<string> },
    ) {
        const login = args.registryLogin;
        const password = handed.registryPassword;
        if (login !== undefined && password === undefined) {
            throw new Error("the systemd runtime was given a registry login without its password");
        }
        this.secrets =
            login === undefined || password === undefined
                ? handed.files
                : { ...handed.files, [PULL_LOGIN]: pulumi.secret(password.apply((p) => dockerClientConfig(args.registry, login.username, p))) };
        if (args.push !== undefined) {
            this.publisher = new ImagePublisher(name, { registry: args.registry, imagesDir: args.push.imagesDir, username: login?.username }, parent, password, [
                // Its name before the docker runtime published too (no host has a provider here).
                `${name}-docker-local`,
            ]);
        }
    }

    registryReady(ready: readonly pulumi.Resource[]): void {
        this.publisher?.registryReady(ready);
    }

    /** The SSH connection to a host (a secret: it carries the key), one per host. */
    private connection(host: Host): pulumi.Output<types.input.remote.ConnectionArgs> {
        const { sshPort: port, sshUser: user } = this.args;
        return getOrMake(this.connections, host.name, () =>
            completeConnection(this.args.sshPrivateKey.apply((privateKey) => ({ host: host.address, port, user, privateKey }))),
        );
    }

    /** The command line that runs `script` with `words` as $1.., as root. */
    private command(script: string, words: readonly string[]): string {
        const sudo = this.args.sshUser === "root" ? "" : "sudo -n ";
        return `${sudo}sh -c ${shellQuote(script)} mesos-cluster ${words.map(shellQuote).join(" ")}`;
    }

    deploy(name: string, spec: ServiceSpec, parent: pulumi.Resource, dependsOn: readonly pulumi.Resource[]): pulumi.Resource[] {
        const tagged = imageRef(spec.image, this.args.registry);
        const pushed = spec.image.local === true ? undefined : this.publisher?.publish(spec.image, tagged, dependsOn);
        // Pinned by digest where the push reports one, so that a restart can never pick up a
        // tag re-pushed behind Pulumi's back, and a new image is an update of the unit's file.
        const image = pushed === undefined ? pulumi.output(tagged) : pushed.repoDigest;
        const pull = pullFrom(spec, this.args.registry, this.args.registryLogin !== undefined);
        const unit = unitName(spec);
        const create = image.apply((ref) =>
            this.command(CREATE_SCRIPT, [
                unit,
                ref,
                pull === false ? "0" : pull === true ? "1" : pull.configDir,
                spec.containerName,
                String(spec.health.timeoutSeconds),
                ...spec.health.command,
            ]),
        );
        const rendered = hostFiles(spec, tagged, pull);
        const command = new Command(
            `${name}-unit`,
            {
                connection: this.connection(spec.host),
                // No `update`: the provider runs `create` when it is unset, and the create converges
                // (one input fewer per unit, at thousands of agents: BENCHMARKS.md).
                create,
                delete: this.command(DELETE_SCRIPT, [unit, ...rendered.map((f) => f.path)]),
                stdin: filledBundle((ref) => hostFiles(spec, ref, pull), rendered, image, this.secrets),
                // A service moved to another address is removed from the old host and created
                // anew; every other change (a new image included) is an update in place.
                triggers: [spec.host.address, unit],
                // The provider would Setenv its previous output, which sshd refuses without AcceptEnv.
                addPreviousOutputInEnv: false,
                logging: "none",
            },
            {
                parent,
                // Its create returns once the service is ready, so dependents start after that.
                dependsOn: [...dependsOn, ...(pushed === undefined ? [] : [pushed])],
                // The replacement's create writes the same paths the old delete removes.
                deleteBeforeReplace: true,
                additionalSecretOutputs: ["stdout", "stderr"],
            },
        );
        return [command];
    }
}
