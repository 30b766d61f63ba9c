import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { ImageSpec } from "../spec";

/** Where a runtime publishes the images it runs: the cluster's own registry. */
export interface PublishArgs {
    /** `address:port` of the registry. */
    readonly registry: string;
    /** Folder holding one Dockerfile folder per image, relative to the project (Pulumi's cwd). */
    readonly imagesDir: string;
    /** The registry's user, when it wants a login; its password is handed over as a secret. */
    readonly username?: string;
}

/** How `docker.Image` builds `image` from its folder under `imagesDir`. */
export function buildOf(imagesDir: string, image: ImageSpec): docker.types.input.DockerBuild {
    const context = `${imagesDir}/${image.context}`;
    return { context, dockerfile: `${context}/Dockerfile`, platform: "linux/amd64" };
}

/** A login to the registry: its address, user and password (a secret). */
export interface RegistryLogin {
    readonly address: string;
    readonly username: string;
    readonly password: pulumi.Output<string>;
}

/**
 * Builds each image once, on this machine's Docker engine, and pushes it to the cluster's
 * registry: every host then pulls the same bytes by digest, instead of each engine building
 * its own copy (one resource per image, not one per host).
 */
export class ImagePublisher {
    private readonly images = new Map<string, docker.Image>();
    private localEngine?: docker.Provider;
    /** What the pushes wait for: the registry, once the cluster has deployed it. */
    private registryServed?: readonly pulumi.Resource[];

    /** The login the pushes use, and the engines that pull, when the registry wants one. */
    readonly login?: RegistryLogin;

    constructor(
        private readonly name: string,
        private readonly args: PublishArgs,
        private readonly parent: pulumi.Resource,
        /** The registry's password, a secret. */
        password?: pulumi.Output<string>,
        /** Names this machine's engine had in earlier versions of the program, so that stacks keep it. */
        private readonly engineAliases: readonly string[] = [],
    ) {
        if (args.username !== undefined) {
            if (password === undefined) {
                throw new Error("the image publisher was given a registry login without its password");
            }
            this.login = { address: args.registry, username: args.username, password };
        }
    }

    /** `address:port` of the registry it pushes to. */
    get registry(): string {
        return this.args.registry;
    }

    registryReady(ready: readonly pulumi.Resource[]): void {
        this.registryServed = ready;
    }

    /**
     * The image pushed as `ref`, once per image: built once the registry is ready (or, if the
     * cluster never said, after `dependsOn`).
     */
    publish(image: ImageSpec, ref: string, dependsOn: readonly pulumi.Resource[]): docker.Image {
        let pushed = this.images.get(ref);
        if (pushed === undefined) {
            // Not `…-docker-<host>`, the hosts' engines: a host may be called anything.
            this.localEngine ??= new docker.Provider(
                `${this.name}-builder`,
                {},
                { parent: this.parent, aliases: this.engineAliases.map((name) => ({ name })) },
            );
            const login = this.login;
            pushed = new docker.Image(
                `${this.name}-push-${image.context}`,
                {
                    imageName: ref,
                    build: buildOf(this.args.imagesDir, image),
                    registry: login === undefined ? undefined : { server: login.address, username: login.username, password: login.password },
                },
                { parent: this.parent, provider: this.localEngine, dependsOn: [...(this.registryServed ?? dependsOn)] },
            );
            this.images.set(ref, pushed);
        }
        return pushed;
    }
}
