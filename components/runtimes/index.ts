import * as pulumi from "@pulumi/pulumi";
import { DockerRuntime, DockerRuntimeArgs } from "./docker";
import { SecretValues, ServiceRuntime } from "./runtime";
import { SystemdRuntime, SystemdRuntimeArgs } from "./systemd";

export type { SecretValues, ServiceRuntime } from "./runtime";

/** Which runtime a stack uses, and its settings. */
export type RuntimeSettings = ({ readonly kind: "docker" } & DockerRuntimeArgs) | ({ readonly kind: "systemd" } & SystemdRuntimeArgs);

/** What the cluster hands a runtime once it has generated them. */
export interface RuntimeSecrets {
    /** Fill the specs' file templates (`{{secret:NAME}}`). */
    readonly files: SecretValues;
    /** The password of the registry's login (RuntimeSettings name its user), when it has one. */
    readonly registryPassword?: pulumi.Output<string>;
}

/** The runtime for a stack; its per-host resources (providers, pushes) are children of `parent`. */
export function createRuntime(name: string, settings: RuntimeSettings, parent: pulumi.Resource, secrets: RuntimeSecrets): ServiceRuntime {
    switch (settings.kind) {
        case "docker":
            return new DockerRuntime(name, settings, parent, secrets);
        case "systemd":
            return new SystemdRuntime(name, settings, parent, secrets);
    }
}
