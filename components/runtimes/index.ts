import * as pulumi from "@pulumi/pulumi";
import { SecretValues, ServiceRuntime } from "../spec";
import { DockerRuntime, DockerRuntimeArgs } from "./docker";
import { SystemdRuntime, SystemdRuntimeArgs } from "./systemd";

/** Which runtime a stack uses, and its settings. */
export type RuntimeSettings = ({ readonly kind: "docker" } & DockerRuntimeArgs) | ({ readonly kind: "systemd" } & SystemdRuntimeArgs);

/**
 * The runtime for a stack; its per-host resources (providers) are children of `parent`, and
 * `secrets` fill the specs' file templates.
 */
export function createRuntime(name: string, settings: RuntimeSettings, parent: pulumi.Resource, secrets: SecretValues): ServiceRuntime {
    switch (settings.kind) {
        case "docker":
            return new DockerRuntime(name, settings, parent, secrets);
        case "systemd":
            return new SystemdRuntime(name, settings, parent, secrets);
    }
}
