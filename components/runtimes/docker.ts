import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { SERVICE_LABEL_KEY, ServiceSpec, argsFor, envList, imageRef } from "../spec";
import { Host } from "../topology/types";
import { Container, DockerProvider } from "./lean";
import { ImagePublisher, PublishArgs, buildOf } from "./publish";
import { SecretValues, ServiceRuntime, fileContent } from "./runtime";

/** Arguments of the docker runtime. */
export interface DockerRuntimeArgs {
    /** `local`: this machine's engine; `ssh`: each host's engine at ssh://user@address:port. */
    readonly engine: "local" | "ssh";
    readonly sshUser: string;
    readonly sshPort: number;
    /** Folder holding one Dockerfile folder per image, relative to the project (Pulumi's cwd). */
    readonly imagesDir: string;
    /**
     * The cluster's own registry, to build each image once on this machine's engine and push
     * it there; unset, each host's engine builds the images it runs.
     */
    readonly publish?: Omit<PublishArgs, "imagesDir">;
}

/** The Docker engine URL of a host, or undefined for the local engine. */
export function engineHost(args: DockerRuntimeArgs, host: Host): string | undefined {
    return args.engine === "ssh" ? `ssh://${args.sshUser}@${host.address}:${args.sshPort}` : undefined;
}

/**
 * Runs each spec as a container on the host network of its host's engine. The image is the
 * one published to the cluster's registry (`publish`), pulled by the engine by digest, or
 * else a `docker.Image` built on the host's own engine. One provider per host, shared by
 * every service there.
 */
export class DockerRuntime implements ServiceRuntime {
    private readonly providers = new Map<string, pulumi.ProviderResource>();
    private readonly publisher?: ImagePublisher;
    private readonly secrets: SecretValues;

    constructor(
        private readonly name: string,
        private readonly args: DockerRuntimeArgs,
        private readonly parent: pulumi.Resource,
        handed: { readonly files: SecretValues; readonly registryPassword?: pulumi.Output<string> },
    ) {
        this.secrets = handed.files;
        if (args.publish !== undefined) {
            this.publisher = new ImagePublisher(name, { ...args.publish, imagesDir: args.imagesDir }, parent, handed.registryPassword);
        }
    }

    registryReady(ready: readonly pulumi.Resource[]): void {
        this.publisher?.registryReady(ready);
    }

    private provider(host: Host): pulumi.ProviderResource {
        let provider = this.providers.get(host.name);
        if (provider === undefined) {
            // Engines pull the published images with the registry's login.
            const login = this.publisher?.login;
            const registryAuth = login === undefined ? undefined : [login];
            provider = new DockerProvider(`${this.name}-docker-${host.name}`, { host: engineHost(this.args, host), registryAuth }, { parent: this.parent });
            this.providers.set(host.name, provider);
        }
        return provider;
    }

    /** The reference the host's engine runs: the published digest, or the ID of an image built there. */
    private image(name: string, spec: ServiceSpec, provider: pulumi.ProviderResource, parent: pulumi.Resource, dependsOn: readonly pulumi.Resource[]) {
        if (this.publisher !== undefined && spec.image.local !== true) {
            const pushed = this.publisher.publish(spec.image, imageRef(spec.image, this.publisher.registry), dependsOn);
            return { ref: pushed.repoDigest, runs: pushed.repoDigest, resources: [] };
        }
        const tagged = imageRef(spec.image, "");
        const built = new docker.Image(
            `${name}-image`,
            {
                imageName: tagged,
                build: buildOf(this.args.imagesDir, spec.image),
                // Built on the host's own engine; nothing to push.
                skipPush: true,
            },
            { parent, provider },
        );
        // The container runs the image's ID, so that a rebuilt image rolls it; the service's own
        // arguments name the image by its tag on that engine.
        return { ref: pulumi.output(tagged), runs: built.repoDigest, resources: [built] };
    }

    deploy(name: string, spec: ServiceSpec, parent: pulumi.Resource, dependsOn: readonly pulumi.Resource[]): pulumi.Resource[] {
        const provider = this.provider(spec.host);
        const image = this.image(name, spec, provider, parent, dependsOn);
        const container = new Container(
            `${name}-container`,
            {
                name: spec.containerName,
                image: image.runs,
                // Only a service that names its own image (the agent, for its executors) waits for
                // the reference: the others' arguments stay known in a preview that changes an image.
                command: spec.selfImageArg === undefined ? [...spec.args] : image.ref.apply((ref) => argsFor(spec, ref)),
                envs: envList(spec.env),
                networkMode: "host",
                labels: [{ label: SERVICE_LABEL_KEY, value: spec.service }],
                privileged: spec.privileged,
                pidMode: spec.pidHost ? "host" : undefined,
                volumes: spec.volumes.map((v) => ({ hostPath: v.host, containerPath: v.container, readOnly: v.readOnly ?? false })),
                // Copied into the container before it starts; secret contents stay Pulumi secrets.
                uploads: spec.files.map((f) => ({
                    file: f.container,
                    content: fileContent(f, this.secrets),
                    permissions: f.mode,
                    owner: String(f.uid),
                    group: String(f.gid),
                })),
                restart: "always",
                mustRun: true,
                healthcheck: { tests: ["CMD", ...spec.health.command], interval: "5s", timeout: "5s", retries: 3, startPeriod: "10s" },
                // Created only once healthy, so that what depends on it starts after it is ready.
                wait: true,
                waitTimeout: spec.health.timeoutSeconds,
            },
            // A fixed name and fixed host ports: the old container must go before the new starts.
            // Images build (or publish) early; only the container waits for the tiers below.
            { parent, provider, deleteBeforeReplace: true, dependsOn: [...dependsOn] },
        );
        return [...image.resources, container];
    }
}
