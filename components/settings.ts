/**
 * From the stack's config to the cluster's arguments: the runtime's settings and the secrets
 * the operator configured, read through `secret` (Pulumi's config in the program, values in
 * tests). Only the keys the topology calls for are read.
 */
import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig } from "./config";
import { ConfiguredSecrets, MesosClusterArgs } from "./cluster";
import { RuntimeSettings } from "./runtimes";
import { Topology } from "./topology/types";

/** Reads a secret key of the stack's config, as a Pulumi secret. */
export type SecretReader = (key: "sshPrivateKey" | "chronosMailPassword" | "registryTlsKey") => pulumi.Output<string>;

/** Folder of the Dockerfiles, relative to the project (Pulumi's working directory). */
export const IMAGES_DIR = "images";

export function runtimeSettings(c: ClusterConfig, t: Topology, secret: SecretReader): RuntimeSettings {
    if (c.runtime === "docker") {
        // Hosts with engines of their own pull one published copy of each image; on the local
        // engine every host already shares the images built there.
        const publish =
            c.engine === "ssh" && t.registry !== undefined ? { registry: t.registry.address, username: t.registry.auth ? t.registry.user : undefined } : undefined;
        return { kind: "docker", engine: c.engine, sshUser: c.sshUser, sshPort: c.sshPort, imagesDir: IMAGES_DIR, publish };
    }
    return {
        kind: "systemd",
        sshUser: c.sshUser,
        sshPort: c.sshPort,
        sshPrivateKey: secret("sshPrivateKey"),
        registry: t.imageRegistry,
        registryLogin: t.registry?.auth ? { username: t.registry.user } : undefined,
        // The cluster's own registry starts empty: the program fills it.
        push: t.registry === undefined ? undefined : { imagesDir: IMAGES_DIR },
    };
}

export function configuredSecrets(c: ClusterConfig, secret: SecretReader): ConfiguredSecrets {
    return {
        chronosMailPassword: c.chronosMailPassword ? secret("chronosMailPassword") : undefined,
        registryTlsKey: c.registryTlsKey ? secret("registryTlsKey") : undefined,
    };
}

/** Everything a MesosCluster needs for a stack. */
export function clusterArgs(c: ClusterConfig, t: Topology, secret: SecretReader): MesosClusterArgs {
    return { topology: t, runtime: runtimeSettings(c, t, secret), secrets: configuredSecrets(c, secret) };
}
