/** What a runtime is to the cluster: it turns specs into resources. */
import * as pulumi from "@pulumi/pulumi";
import { FileSpec, ServiceSpec, fillTemplate, secretsIn } from "../spec";

/** Secret values by name, as Pulumi secrets, for the runtimes to fill file templates with. */
export type SecretValues = Readonly<Record<string, pulumi.Output<string>>>;

/**
 * The values of the secrets `files` name, as one Output by name (a Pulumi secret), or
 * undefined when they name none.
 */
export function secretValues(files: readonly Pick<FileSpec, "container" | "template">[], secrets: SecretValues): pulumi.Output<Record<string, string>> | undefined {
    const names = [...new Set(files.flatMap((f) => secretsIn(f.template)))];
    if (names.length === 0) {
        return undefined;
    }
    const missing = names.filter((n) => secrets[n] === undefined);
    if (missing.length > 0) {
        const where = files.filter((f) => secretsIn(f.template).some((n) => missing.includes(n))).map((f) => f.container);
        throw new Error(`${where.join(", ")} needs secrets that were not generated: ${missing.join(", ")}`);
    }
    names.sort();
    return shared(secrets, `values ${JSON.stringify(names)}`, () => pulumi.secret(pulumi.all(Object.fromEntries(names.map((n) => [n, secrets[n]])))));
}

/**
 * A file's content with its secrets filled in: a Pulumi secret whenever it holds one. Files
 * alike (every agent's credentials) share one Output.
 */
export function fileContent(file: Pick<FileSpec, "container" | "template">, secrets: SecretValues): pulumi.Output<string> {
    const values = secretValues([file], secrets);
    if (values === undefined) {
        return pulumi.output(fillTemplate(file.template, {}));
    }
    return shared(secrets, `file ${JSON.stringify(file.template.parts)}`, () => pulumi.secret(values.apply((v) => fillTemplate(file.template, v))));
}

/**
 * Outputs made once per set of secret values and key: the SDK's cost is per Output (each has
 * its promises), and at thousands of agents the same few would otherwise be made for each
 * (BENCHMARKS.md). An Output may be the input of any number of resources.
 */
const made = new WeakMap<SecretValues, Map<string, pulumi.Output<unknown>>>();
function shared<T>(secrets: SecretValues, key: string, make: () => pulumi.Output<T>): pulumi.Output<T> {
    const outputs = getOrMake(made, secrets, () => new Map<string, pulumi.Output<unknown>>());
    return getOrMake(outputs, key, make) as pulumi.Output<T>;
}

/** `map`'s value for `key`, made by `make` and kept the first time it is asked for. */
export function getOrMake<K, V>(map: { get(key: K): V | undefined; set(key: K, value: V): unknown }, key: K, make: () => V): V {
    let value = map.get(key);
    if (value === undefined) {
        value = make();
        map.set(key, value);
    }
    return value;
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
