/**
 * Keys the program does not declare secret, set with `pulumi config set --secret` anyway, are
 * kept secret: every resource input that holds one of their texts becomes a Pulumi secret.
 * (Keys whose values Pulumi shows whatever the program does, in names, outputs or components'
 * state, are refused instead: KeyDeclaration.visible.)
 */
import * as pulumi from "@pulumi/pulumi";

/**
 * Below this length a text cannot be told from chance inside base64 (the systemd runtime's
 * stdin) or other values, so every input is kept secret.
 */
const FINDABLE = 12;

/** The runs of base64 that encode `text` wherever it falls in an encoded blob. */
function base64Forms(text: string): string[] {
    return [0, 1, 2].map((offset) => Buffer.from("x".repeat(offset) + text).toString("base64").slice(Math.ceil((offset * 4) / 3) + 1, -4));
}

/** Whether `value` (any JSON-like value) holds one of `texts`, as it is or base64-encoded. */
export function holdsText(value: unknown, texts: readonly string[]): boolean {
    if (texts.some((t) => t.length < FINDABLE)) {
        return true;
    }
    const json = JSON.stringify(value) ?? "";
    return texts.some((t) => json.includes(JSON.stringify(t).slice(1, -1)) || base64Forms(t).some((f) => json.includes(f)));
}

/** `value` as an Output, a secret if it holds one of `texts`. */
export function keptSecret<T>(value: pulumi.Input<T>, texts: readonly string[]): pulumi.Output<T> {
    return pulumi.output(value).apply((v) => (holdsText(v, texts) ? pulumi.secret(v) : v)) as pulumi.Output<T>;
}

/** A transformation that keeps `texts` secret in every input of a resource and its children. */
export function keepSecret(texts: readonly string[]): pulumi.ResourceTransformation {
    return ({ props, opts }) => ({ props: Object.fromEntries(Object.entries(props).map(([k, v]) => [k, keptSecret(v, texts)])), opts });
}
