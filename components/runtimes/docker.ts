import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { SERVICE_LABEL_KEY, ServiceSpec, argsFor, envList } from "../spec";
import { Host } from "../topology/types";
import { SecretValues, ServiceRuntime, fileContent } from "./runtime";

/** Arguments of the docker runtime. */
export interface DockerRuntimeArgs {
    /** `local`: this machine's engine; `ssh`: each host's engine at ssh://user@address:port. */
    readonly engine: "local" | "ssh";
    readonly sshUser: string;
    readonly sshPort: number;
    /** Folder holding one Dockerfile folder per image, relative to the project (Pulumi's cwd). */
    readonly imagesDir: string;
}

/** The Docker engine URL of a host, or undefined for the local engine. */
export function engineHost(args: DockerRuntimeArgs, host: Host): string | undefined {
    return args.engine === "ssh" ? `ssh://${args.sshUser}@${host.address}:${args.sshPort}` : undefined;
}

/**
 * Runs each spec as a `docker.Image` built on the host's engine and a `docker.Container`
 * on the host network. One provider per host, shared by every service there.
 */
export class DockerRuntime implements ServiceRuntime {
    private readonly providers = new Map<string, docker.Provider>();

    constructor(
        private readonly name: string,
        private readonly args: DockerRuntimeArgs,
        private readonly parent: pulumi.Resource,
        private readonly secrets: SecretValues,
    ) {}

    private provider(host: Host): docker.Provider {
        let provider = this.providers.get(host.name);
        if (provider === undefined) {
            provider = new docker.Provider(`${this.name}-docker-${host.name}`, { host: engineHost(this.args, host) }, { parent: this.parent });
            this.providers.set(host.name, provider);
        }
        return provider;
    }

    deploy(name: string, spec: ServiceSpec, parent: pulumi.Resource, dependsOn: readonly pulumi.Resource[]): pulumi.Resource[] {
        const provider = this.provider(spec.host);
        const context = `${this.args.imagesDir}/${spec.image.context}`;
        const image = new docker.Image(
            `${name}-image`,
            {
                imageName: `${spec.image.repository}:${spec.image.tag}`,
                build: { context, dockerfile: `${context}/Dockerfile`, platform: "linux/amd64" },
                // Built on the host's own engine; nothing to push.
                skipPush: true,
            },
            { parent, provider },
        );
        const container = new docker.Container(
            `${name}-container`,
            {
                name: spec.containerName,
                // The image ID: a rebuilt image rolls the container.
                image: image.repoDigest,
                command: argsFor(spec, `${spec.image.repository}:${spec.image.tag}`),
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
            // Images build early; only the container waits for the tiers below.
            { parent, provider, deleteBeforeReplace: true, dependsOn: [...dependsOn] },
        );
        return [image, container];
    }
}
