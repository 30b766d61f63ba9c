/** What a runtime is to the cluster: it turns specs into resources. */
import * as pulumi from "@pulumi/pulumi";
import { FileSpec, ServiceSpec, fillTemplate, secretsIn } from "../spec";

/** Secret values by name, as Pulumi secrets, for the runtimes to fill file templates with. */
export type SecretValues = Readonly<Record<string, pulumi.Output<string>>>;

/** A file's content with its secrets filled in: a Pulumi secret whenever it holds one. */
export function fileContent(file: Pick<FileSpec, "container" | "template">, secrets: SecretValues): pulumi.Output<string> {
    const names = secretsIn(file.template);
    if (names.length === 0) {
        return pulumi.output(file.template);
    }
    const missing = names.filter((n) => secrets[n] === undefined);
    if (missing.length > 0) {
        throw new Error(`${file.container} needs secrets that were not generated: ${missing.join(", ")}`);
    }
    const values = pulumi.all(Object.fromEntries(names.map((n) => [n, secrets[n]])));
    return pulumi.secret(values.apply((v) => fillTemplate(file.template, v)));
}

/** Turns specs into resources. Implementations know Docker or SSH; none knows Mesos. */
export interface ServiceRuntime {
    /**
     * Creates the resources that run `spec`, named `${name}-…`, as children of `parent`; they
     * start after `dependsOn` and are done only once the service is ready.
     */
    deploy(name: string, spec: ServiceSpec, parent: pulumi.Resource, dependsOn: readonly pulumi.Resource[]): pulumi.Resource[];
    /**
     * The registry images come from is served once `ready` are: a runtime that publishes
     * images there may start then, rather than with the tier that first runs each image.
     */
    registryReady?(ready: readonly pulumi.Resource[]): void;
}
