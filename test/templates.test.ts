import * as pulumi from "@pulumi/pulumi";
import fc from "fast-check";
import { ConfigError, KEYS, parseConfig } from "../components/config";
import { fileContent } from "../components/runtimes/runtime";
import { hostFiles, pullFrom, PULL_LOGIN } from "../components/runtimes/systemdUnit";
import { clusterSpecs } from "../components/services";
import {
    AGENT_JWT_KEY,
    MAIL_PASSWORD,
    OPERATOR_PASSWORD,
    PRINCIPALS,
    REGISTRY_DOCKER_CONFIG,
    REGISTRY_PASSWORD,
    REGISTRY_TLS_KEY,
    ZOOKEEPER_SUPER_PASSWORD,
    ZOOKEEPER_USERS,
    ZooKeeperUser,
    zookeeperDigestSecret,
} from "../components/services/credentials";
import { Template, fillTemplate, imageRef, jsonTemplate, secretRef, secretsIn, showTemplate, text } from "../components/spec";
import { buildTopology } from "../components/composition";
import { readStackConfig } from "../scripts/stackFile";
import { bundleFiles, emitted } from "./emitted";
import { Evaluation, ROOT, evaluate, evaluateFailure, plain, secretKeys, stackConfig } from "./harness";
import { leaks, secretValues } from "./leaks";

// Operators' text is data: a `{{secret:NAME}}` typed into any value is written as typed and
// never filled with the secret. Only the slots the program made are filled.

/** Every secret name a file can have a slot for. */
const zookeeperUsers = Object.keys(ZOOKEEPER_USERS) as ZooKeeperUser[];
const SECRET_NAMES = [
    ...Object.keys(PRINCIPALS),
    OPERATOR_PASSWORD,
    AGENT_JWT_KEY,
    MAIL_PASSWORD,
    REGISTRY_PASSWORD,
    REGISTRY_TLS_KEY,
    REGISTRY_DOCKER_CONFIG,
    PULL_LOGIN,
    ZOOKEEPER_SUPER_PASSWORD,
    ...zookeeperUsers.map((u) => ZOOKEEPER_USERS[u].secret),
    ...zookeeperUsers.map(zookeeperDigestSecret),
];
const placeholder = fc.constantFrom(...SECRET_NAMES).map((n) => `{{secret:${n}}}`);
/** Text with placeholders, braces and JSON's special characters mixed in. */
const userText = fc.array(fc.oneof(placeholder, fc.string(), fc.constantFrom("{{", "}}", "{{secret:", '"', "\\", "\n")), { maxLength: 8 }).map((xs) => xs.join(""));
/** A value for each secret name, distinct and easy to find. */
const fake = Object.fromEntries(SECRET_NAMES.map((n) => [n, `FAKE-${n}-VALUE`]));

describe("the template mechanism", () => {
    test("text is written as it is, whatever it holds (300 runs)", () => {
        fc.assert(
            fc.property(userText, (s) => {
                expect(secretsIn(text(s))).toEqual([]);
                expect(fillTemplate(text(s), fake)).toBe(s);
                expect(showTemplate(text(s))).toBe(s);
            }),
            { numRuns: 300 },
        );
    });

    // Objects of user text and secrets' slots, as the credentials files are built.
    const json: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
        value: fc.oneof(
            { depthSize: "small" },
            userText,
            fc.integer(),
            fc.boolean(),
            fc.constant(null),
            fc.constantFrom(...SECRET_NAMES).map(secretRef),
            fc.array(tie("value"), { maxLength: 4 }),
            fc.dictionary(userText, tie("value"), { maxKeys: 4 }),
        ),
    })).value;
    /** The value with each slot replaced by `f(name)`. */
    const substitute = (v: unknown, f: (name: string) => string): unknown => {
        if (typeof v === "object" && v !== null && "parts" in v) {
            return f(secretsIn(v as Template)[0]);
        }
        if (Array.isArray(v)) {
            return v.map((x) => substitute(x, f));
        }
        if (typeof v === "object" && v !== null) {
            return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, substitute(x, f)]));
        }
        return v;
    };

    test("jsonTemplate writes what JSON.stringify writes, each slot filled as a JSON string (300 runs)", () => {
        fc.assert(
            fc.property(json, fc.dictionary(fc.constantFrom(...SECRET_NAMES), fc.string()), (value, values) => {
                const t = jsonTemplate(value);
                expect(showTemplate(t)).toBe(JSON.stringify(substitute(value, (n) => `{{secret:${n}}}`), null, 2));
                const all = { ...fake, ...values };
                expect(JSON.parse(fillTemplate(t, all))).toEqual(substitute(value, (n) => all[n]));
            }),
            { numRuns: 300 },
        );
    });
});

/** Every file each service's host or container receives, filled as the runtimes fill them. */
function filledFiles(raw: Record<string, string>): Map<string, string> {
    const t = buildTopology(parseConfig(raw, { requireSecrets: false }));
    const login = t.registry?.auth ?? false;
    const files = new Map<string, string>();
    for (const s of clusterSpecs(t)) {
        for (const f of hostFiles(s, imageRef(s.image, t.imageRegistry), pullFrom(s, t.imageRegistry, login))) {
            files.set(`${s.host.name}:${f.path}`, fillTemplate(f.template, fake));
        }
        for (const f of s.files) {
            files.set(`${s.containerName}:${f.container}`, fillTemplate(f.template, fake));
        }
    }
    return files;
}

/** How many times each secret's value is in each file. */
const secretCounts = (files: Map<string, string>) =>
    [...files].map(([where, content]) => [where, SECRET_NAMES.map((n) => content.split(fake[n]).length - 1)] as const);

const STRING_KEYS = Object.entries(KEYS)
    .filter(([, d]) => d.kind === "string" && !("secret" in d && d.secret))
    .map(([k]) => k);

describe.each(["prod", "ha", "e2e"])("stack %s", (stack) => {
    const base = readStackConfig(ROOT, stack).values;
    const accepted = new Map<string, number>();

    test(`a placeholder typed anywhere in any string key (${STRING_KEYS.length} keys): refused, or every file holds the secrets it holds without it (60 runs a key)`, () => {
        for (const key of STRING_KEYS) {
            const full = `mesos-cluster:${key}`;
            const value = base[full] ?? "";
            fc.assert(
                fc.property(fc.nat(value.length), placeholder, (at, ph) => {
                    const typed = `${value.slice(0, at)}${ph}${value.slice(at)}`;
                    // The same text with the placeholder's braces taken out: what the files would hold without it.
                    const neutral = `${value.slice(0, at)}${ph.replace(/[{}]/g, "")}${value.slice(at)}`;
                    let files: Map<string, string>;
                    try {
                        files = filledFiles({ ...base, [full]: typed });
                    } catch (e) {
                        expect(e).toBeInstanceOf(ConfigError);
                        expect((e as ConfigError).message).toContain(full);
                        return;
                    }
                    accepted.set(key, (accepted.get(key) ?? 0) + 1);
                    expect(secretCounts(files)).toEqual(secretCounts(filledFiles({ ...base, [full]: neutral })));
                    // And the operator's text is there as typed.
                    expect([...files.values()].some((c) => c.includes(typed) || c.includes(ph))).toBe(true);
                }),
                { numRuns: 60 },
            );
        }
        // Not vacuous: keys whose rules let braces through were tried with them.
        if (stack === "prod") {
            expect([...accepted.keys()]).toEqual(expect.arrayContaining(["chronosMailFrom", "chronosMailUser", "registryTlsCertificate"]));
        }
    });
});

/**
 * Files handed to hosts that others than their owner may read, and that hold a secret: the
 * systemd runtime's bundle (units and env files included), the docker runtime's uploads.
 */
function readableSecrets(e: Evaluation, secrets: readonly string[]): string[] {
    const files = e.resources.flatMap((r) => {
        const i = plain(r.inputs);
        if (typeof i.stdin === "string") {
            return [...bundleFiles(i.stdin)].map(([path, f]) => ({ where: `${r.name}:${path}`, mode: f.mode, content: f.content }));
        }
        return ((i.uploads ?? []) as { file: string; permissions: string; content: string }[]).map((u) => ({ where: `${r.name}:${u.file}`, mode: u.permissions, content: u.content }));
    });
    return files.filter((f) => !/^0?[46]00$/.test(f.mode) && secrets.some((s) => f.content.includes(s))).map((f) => f.where);
}

/** What must hold for any evaluation: no secret in a plain input, nor in a file others may read. */
function expectNoLeak(e: Evaluation, config: Record<string, string>) {
    const secrets = secretValues(e, config);
    expect(e.resources.flatMap((r) => leaks(r.inputs, secrets).map((p) => `${r.name}: ${p}`))).toEqual([]);
    expect(readableSecrets(e, secrets)).toEqual([]);
}

describe.each(["systemd", "docker"])("evaluated on the %s runtime", (runtime) => {
    const config: Record<string, string> = { ...stackConfig("prod"), "mesos-cluster:runtime": runtime, "mesos-cluster:engine": "ssh" };
    const certificate = config["mesos-cluster:registryTlsCertificate"];
    const lines = certificate.split("\n");
    type Example = [key: string, value: (ph: string) => string];
    const examples: Example[] = [
        ["chronosMailFrom", (ph) => `${ph}@example.com`],
        ["chronosMailUser", (ph) => ph],
        ["registryTlsCertificate", (ph) => [lines[0], ph, ...lines.slice(1)].join("\n")],
    ];

    test.each(examples)("%s holding {{secret:agent}}: written as typed, and no secret leaves a Pulumi secret or a 0600 file", async (key, value) => {
        const typed = value("{{secret:agent}}");
        const c = { ...config, [`mesos-cluster:${key}`]: typed };
        const e = await evaluate(c, "prod");
        expectNoLeak(e, c);
        const texts = emitted(e).flatMap((s) => [...Object.values(s.files).map((f) => f.content), ...s.args, JSON.stringify(plain(s.resource.inputs))]);
        expect(texts.some((t) => t.includes("{{secret:agent}}"))).toBe(true);
    });

    test("{{image}} in the sender stays as typed; the agent's own image is still filled in", async () => {
        const e = await evaluate({ ...config, "mesos-cluster:chronosMailFrom": "{{image}}@example.com" }, "prod");
        const services = emitted(e);
        for (const s of services.filter((x) => x.label === "chronos")) {
            expect(s.args).toContain("--mail_from={{image}}@example.com");
        }
        for (const s of services.filter((x) => x.label === "agent")) {
            expect(s.args.find((a) => a.startsWith("--docker_mesos_image="))).toMatch(/^--docker_mesos_image=[^{]*mesos-cluster\/agent[:@]/);
        }
    });

    test("any placeholder in the sender or the certificate: no secret leaves a Pulumi secret or a 0600 file (8 runs)", async () => {
        await fc.assert(
            fc.asyncProperty(fc.constantFrom(...examples), placeholder, async ([key, value], ph) => {
                const c = { ...config, [`mesos-cluster:${key}`]: value(ph) };
                expectNoLeak(await evaluate(c, "prod"), c);
            }),
            { numRuns: 8 },
        );
    });
});

test.each([
    ["clusterName", "prod{{secret:agent}}"],
    ["agentAttributes", "rack:{{secret:agent}}"],
])("%s holding a placeholder is refused by its own rule, with nothing registered", async (key, value) => {
    const { error, registered } = await evaluateFailure({ ...stackConfig("ha"), [`mesos-cluster:${key}`]: value }, secretKeys());
    expect(error.name).toBe("ConfigError");
    expect(error.message).toContain(`mesos-cluster:${key}:`);
    expect(registered).toBe(0);
});

describe("the runtimes' filled files", () => {
    const valueOf = (o: pulumi.Output<string>) => new Promise<string>((resolve) => o.apply(resolve));
    const isSecretOutput = (o: pulumi.Output<string>) => (o as unknown as { isSecret: Promise<boolean> }).isSecret;

    test("files alike share one Output (every agent's credentials); others, or other secrets, get their own; each is a secret, filled", async () => {
        const secrets = { a: pulumi.secret("alpha"), b: pulumi.secret("beta") };
        const others = { a: pulumi.secret("gamma"), b: pulumi.secret("beta") };
        const file = (parts: Template["parts"]) => ({ container: "/etc/x", template: { parts } });
        const one = fileContent(file(["user:", { secret: "a" }]), secrets);
        expect(fileContent(file(["user:", { secret: "a" }]), secrets)).toBe(one);
        const different = [fileContent(file(["user:", { secret: "b" }]), secrets), fileContent(file(["other:", { secret: "a" }]), secrets), fileContent(file(["user:", { secret: "a" }]), others)];
        for (const o of different) {
            expect(o).not.toBe(one);
        }
        expect(await Promise.all([one, ...different].map(valueOf))).toEqual(["user:alpha", "user:beta", "other:alpha", "user:gamma"]);
        expect(await Promise.all([one, ...different].map(isSecretOutput))).toEqual([true, true, true, true]);
        // A file with no secret is plain text.
        expect(await isSecretOutput(fileContent(file(["plain"]), secrets))).toBe(false);
    });
});
