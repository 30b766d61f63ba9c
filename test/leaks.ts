import { Evaluation, TEST_SECRETS, isSecret, mockPassword } from "./harness";

/**
 * The forms a secret can take in what the program emits: as it is, and inside base64 (the
 * systemd runtime's stdin), where only runs of 12 or more characters are told from chance.
 */
export function forms(secret: string): string[] {
    const found: string[] = [];
    for (let offset = 0; offset < 3; offset++) {
        const b64 = Buffer.from("x".repeat(offset) + secret).toString("base64");
        // Drop the characters that depend on the neighbouring bytes.
        found.push(b64.slice(Math.ceil((offset * 4) / 3) + 1, -4));
    }
    return [...(secret === "" ? [] : [secret]), ...found.filter((f) => f.length >= 12)];
}

/** Every secret value of an evaluation: the generated passwords and the configured secrets. */
export function secretValues(e: Evaluation, config: Record<string, string>): string[] {
    const generated = e.ofType("random:index/randomPassword:RandomPassword").map((r) => mockPassword(r.name, r.inputs.length));
    const configured = Object.keys(TEST_SECRETS)
        .filter((k) => k in config)
        .map((k) => config[k]);
    // A PEM key is checked line by line, so that any one line leaking is caught.
    return [...generated, ...configured.flatMap((v) => [v, ...v.split("\n").filter((l) => l.length >= 24)])];
}

/** Paths (a.b[2].c) of plain strings that hold a secret; secret-marked values are not entered. */
export function leaks(value: unknown, secrets: readonly string[], at = ""): string[] {
    if (isSecret(value)) {
        return [];
    }
    if (typeof value === "string") {
        return secrets.some((s) => forms(s).some((f) => value.includes(f))) ? [at] : [];
    }
    if (Array.isArray(value)) {
        return value.flatMap((v, i) => leaks(v, secrets, `${at}[${i}]`));
    }
    if (typeof value === "object" && value !== null) {
        return Object.entries(value).flatMap(([k, v]) => leaks(v, secrets, at === "" ? k : `${at}.${k}`));
    }
    return [];
}
