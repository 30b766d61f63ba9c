import fc from "fast-check";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { KEYS } from "../components/config";
import { holdsText } from "../components/keptSecret";
import { render } from "../scripts/render";
import { Evaluation, ROOT, evaluate, evaluateFailure, isSecret, plain, problemsOf, secretKeys, stackConfig } from "./harness";
import { bundleFiles } from "./emitted";
import { forms, leaks } from "./leaks";

// A key the program does not declare secret, set with `pulumi config set --secret`: kept
// secret in every resource input and stack output that holds it, or, where Pulumi would show
// it whatever the program does (resource names, which resources exist, components' state),
// refused with a message saying so. Never shown in an error.

const K = (key: string) => `mesos-cluster:${key}`;
const declared = Object.entries(KEYS).filter(([, d]) => !("secret" in d && d.secret));
const visible = declared.filter(([, d]) => "visible" in d).map(([k]) => k);
const kept = declared.filter(([, d]) => !("visible" in d)).map(([k]) => k);

/** A valid value for each key that can be kept secret, found nowhere else in the prod stack. */
const VALUES: Record<string, string> = {
    sshUser: "opsuser-secret",
    sshPort: "2202",
    registry: "registry-secret.example.com:5000",
    clusterName: "cluster-secret-name",
    dataRoot: "/srv/secret-data-root",
    logLevel: "WARNING",
    readinessTimeoutSeconds: "377",
    chronosMailServer: "smtp-secret.example.com:465",
    chronosMailUser: "mailuser-secret-name",
    chronosMailFrom: "from-secret@example.com",
    chronosMailSsl: "false",
    servicePorts: "10500-19500",
    chronosLibprocessPort: "4409",
    agentTaskPorts: "31100-31900",
    agentCpus: "7",
    agentMemoryMb: "7777",
    agentAttributes: "rack:secret-rack-name",
    executorRegistrationTimeout: "17mins",
    zookeeperHeapMb: "777",
    marathonHeapMb: "1777",
    chronosHeapMb: "577",
    agentBatchSize: "37%",
    readonlyAuthentication: "false",
    bambooLocalPort: "8077",
};

test("each key that can be kept secret has a test value here, or the stack's own (the certificate)", () => {
    expect([...kept].sort()).toEqual([...Object.keys(VALUES), "registryTlsCertificate"].sort());
});

/**
 * prod's config, without its own registry when the key is the outside one, and without the
 * registry's login, so that ZooKeeper's and Bamboo's files ride in a stdin that is no secret.
 */
function prodFor(key: string): Record<string, string> {
    const c = { ...stackConfig("prod"), [K("registryAuth")]: "false" };
    if (key === "registry") {
        Object.assign(c, { [K("registryHost")]: "", [K("registryAuth")]: "false", [K("registryTlsCertificate")]: "" });
        delete c[K("registryTlsKey")];
    }
    return c;
}

/** Files of a systemd stdin that is not a secret, that hold one of `values` (short ones too, which base64 hides from `leaks`). */
function plainBundles(e: Evaluation, values: readonly string[]): string[] {
    return e
        .ofType("command:remote:Command")
        .filter((c) => !isSecret(c.inputs.stdin))
        .flatMap((c) => [...bundleFiles(c.inputs.stdin)].filter(([, f]) => values.some((v) => f.content.includes(v))).map(([p]) => `${c.name}: ${p}`));
}

const valueOf = (key: string, config: Record<string, string>) => VALUES[key] ?? config[K(key)];

describe.each(["systemd", "docker"])("on the %s runtime", (runtime) => {
    test.each(kept)("%s set as a secret: in no input or output in plain text", async (key) => {
        const base = { ...prodFor(key), [K("runtime")]: runtime, [K("engine")]: "ssh" };
        const value = valueOf(key, base);
        const config = { ...base, [K(key)]: value };
        const e = await evaluate(config, "prod", [...secretKeys(), K(key)]);
        expect(e.resources.flatMap((r) => leaks(r.inputs, [value]).map((p) => `${r.name}: ${p}`))).toEqual([]);
        expect(leaks(e.outputs, [value])).toEqual([]);
        expect(plainBundles(e, [value])).toEqual([]);
        // Not vacuous: where the runtime uses the key, its value is there, inside a secret.
        const used = JSON.stringify(e.resources.map((r) => plain(r.inputs)));
        if (runtime === "systemd" || !["registry"].includes(key)) {
            expect([JSON.stringify(value).slice(1, -1), ...forms(value)].some((f) => used.includes(f)) || value.length < 12).toBe(true);
        }
    });

    test("any few of them at once (10 runs)", async () => {
        await fc.assert(
            fc.asyncProperty(fc.subarray(kept.filter((k) => k !== "registry"), { minLength: 2, maxLength: 5 }), async (keys) => {
                const base = { ...prodFor(""), [K("runtime")]: runtime, [K("engine")]: "ssh" };
                const config = { ...base, ...Object.fromEntries(keys.map((k) => [K(k), valueOf(k, base)])) };
                const e = await evaluate(config, "prod", [...secretKeys(), ...keys.map(K)]);
                const values = keys.map((k) => valueOf(k, base));
                expect(e.resources.flatMap((r) => leaks(r.inputs, values).map((p) => `${r.name}: ${p}`))).toEqual([]);
                expect(leaks(e.outputs, values)).toEqual([]);
                expect(plainBundles(e, values)).toEqual([]);
            }),
            { numRuns: 10 },
        );
    });
});

describe("what is kept secret: an input holding the text, as it is or in base64", () => {
    const long = fc.string({ minLength: 12, maxLength: 40 });
    test("found anywhere in a value, or in base64 at any offset (300 runs)", () => {
        fc.assert(
            fc.property(long, fc.string(), fc.string(), (t, before, after) => {
                expect(holdsText({ a: [`${before}${t}${after}`] }, [t])).toBe(true);
                expect(holdsText(`x ${Buffer.from(`${before}${t}${after}`).toString("base64")} y`, [t])).toBe(true);
            }),
            { numRuns: 300 },
        );
    });
    test("a text too short to be told from chance keeps every input secret (300 runs)", () => {
        fc.assert(
            fc.property(fc.string({ maxLength: 11 }), fc.jsonValue(), (t, value) => {
                expect(holdsText(value, [t])).toBe(true);
            }),
            { numRuns: 300 },
        );
    });
    test("an input without it stays plain (300 runs)", () => {
        fc.assert(
            fc.property(fc.stringMatching(/^[A-Z]{12,20}$/), fc.stringMatching(/^[a-z0-9 .:/-]{0,60}$/), (t, value) => {
                expect(holdsText({ value }, [t])).toBe(false);
            }),
            { numRuns: 300 },
        );
    });
});

test("without a key set as a secret, nothing more is secret than before (the stack's outputs stay readable)", async () => {
    const e = await evaluate(stackConfig("prod"), "prod");
    expect(typeof e.outputs.zookeeperUrl).toBe("string");
    for (const c of e.ofType("command:remote:Command")) {
        expect(isSecret(c.inputs.create)).toBe(false);
    }
});

test.each(visible)("%s set as a secret is refused, saying why, with nothing registered", async (key) => {
    const config = stackConfig("ha");
    const { error, registered } = await evaluateFailure(config, [...secretKeys(), K(key)]);
    expect(error.name).toBe("ConfigError");
    expect(error.message).toMatch(new RegExp(`mesos-cluster:${key}: is set as a secret, but it cannot be kept one: .+; set it again without --secret: \`pulumi config set ${key} VALUE\``));
    expect(registered).toBe(0);
});

describe("no message shows a value set as a secret", () => {
    test.each([
        ["registry", "zqsecret.example.com:5000", /mesos-cluster:registry: "\[secret\]" is an outside registry/],
        ["containerPrefix", "mesos-zqsecret-", /mesos-cluster:containerPrefix: "\[secret\]" makes container names start with "mesos-"/],
        ["servicePorts", "20000-10000", /mesos-cluster:servicePorts: "\[secret\]" is not a range/],
        ["masters", JSON.stringify(["zqm1=10.0.0.300", "m2=10.0.0.12", "m3=10.0.0.13"]), /mesos-cluster:masters\[0\]: "\[secret\]" is not an IPv4 address/],
    ])("%s", (key, value, message) => {
        const found = problemsOf({ ...stackConfig("ha"), [K(key)]: value }, { secretKeys: [...secretKeys(), K(key)] }).join("\n");
        expect(found).toMatch(message);
        expect(found).not.toMatch(/zq|10\.0\.0\.300|20000-10000/);
    });

    test("any value, on any key, set as a secret (300 runs)", () => {
        const keys = declared.map(([k]) => k);
        fc.assert(
            fc.property(fc.constantFrom(...keys), fc.stringMatching(/^[a-z]{2}[a-z0-9=.:-]{0,14}$/), (key, v) => {
                const value = `zq${v}`;
                const raw = KEYS[key as keyof typeof KEYS].kind === "array" ? JSON.stringify([value]) : value;
                const found = problemsOf({ ...stackConfig("ha"), [K(key)]: raw }, { secretKeys: [...secretKeys(), K(key)] }).join("\n");
                expect(found).not.toContain(value);
            }),
            { numRuns: 300 },
        );
    });
});

describe("render, which cannot read a secret", () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "render-secret-"));
    afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
    const project = path.join(tmp, "project");
    fs.mkdirSync(project);
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(project, "Pulumi.yaml"));
    const stack = (key: string) =>
        fs.writeFileSync(path.join(project, "Pulumi.s.yaml"), `${fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8")}  mesos-cluster:${key}:\n    secure: v1:c2VjcmV0LWNpcGhlcnRleHQ=\n`);

    test("renders a kept key with its default, never its ciphertext", () => {
        stack("agentAttributes");
        const written = render("s", path.join(tmp, "out"), project);
        const texts = written.map((rel) => fs.readFileSync(path.join(tmp, "out", rel), "utf8")).join("\n");
        expect(texts).not.toContain("c2VjcmV0LWNpcGhlcnRleHQ");
        expect(texts).not.toContain("--attributes=");
    });

    test("refuses a key that cannot be kept secret, as the program does", () => {
        stack("containerPrefix");
        expect(() => render("s", path.join(tmp, "out2"), project)).toThrow(/mesos-cluster:containerPrefix: is set as a secret, but it cannot be kept one/);
    });
});
