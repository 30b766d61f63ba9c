import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { render } from "../scripts/render";
import { emitted } from "./emitted";
import { Evaluation, evaluate, isSecret, plain, stackConfig, stackNames } from "./harness";
import { forms, leaks, secretValues } from "./leaks";

// No secret value — generated credentials, the SSH key, the mail password — appears in plain
// text in a resource input that is not a secret, in a rendered file, or in a stack output.

/** Every variant a stack can run as: its own runtime, and the other one. */
const variants = stackNames().flatMap((stack) => [
    [stack, "docker"],
    [stack, "systemd"],
]);

describe.each(variants)("stack %s on the %s runtime", (stack, runtime) => {
    let e: Evaluation;
    let config: Record<string, string>;
    let secrets: string[];

    beforeAll(async () => {
        config = { ...stackConfig(stack), "mesos-cluster:runtime": runtime, "mesos-cluster:engine": "ssh" };
        e = await evaluate(config, stack);
        secrets = secretValues(e, config);
    });

    test("the secrets are there and used (the check below has something to find)", () => {
        expect(secrets.length).toBeGreaterThan(0);
        const used = JSON.stringify(e.resources.map((r) => r.inputs));
        const authenticated = config["mesos-cluster:authentication"] !== "false";
        const registryAuth = config["mesos-cluster:registryAuth"] === "true";
        // ZooKeeper's superuser always; with authentication the Mesos principals, ZooKeeper's
        // users for Mesos, Marathon, Chronos and Bamboo, the operator's login and the agents' token
        // key; the registry's login.
        expect(e.ofType("random:index/randomPassword:RandomPassword")).toHaveLength(1 + (authenticated ? 3 + 4 + 2 : 0) + (registryAuth ? 1 : 0));
        // Services that read a secret: ZooKeeper (its superuser), the Mesos principals' and the
        // operator's login's (Bamboo's front too), and, with TLS or a login, the registry's.
        const registrySecrets = registryAuth || (config["mesos-cluster:registryTlsCertificate"] ?? "") !== "";
        const reading = new Set(["zookeeper", ...(authenticated ? ["master", "agent", "marathon", "chronos", "bamboo"] : []), ...(registrySecrets ? ["registry"] : [])]);
        for (const s of emitted(e).filter((x) => reading.has(x.label))) {
            const content = Object.values(s.files).map((f) => f.content).join("\n");
            expect(content).not.toContain("{{secret:");
            expect(secrets.some((secret) => content.includes(secret))).toBe(true);
        }
        expect(used.length).toBeGreaterThan(0);
    });

    test("no resource input holds a secret outside a Pulumi secret", () => {
        const found = e.resources.flatMap((r) => leaks(r.inputs, secrets).map((p) => `${r.name}: ${p}`));
        expect(found).toEqual([]);
    });

    test("no stack output holds a secret", () => {
        expect(leaks(e.outputs, secrets)).toEqual([]);
    });

    test("every file that holds a secret is handed over as a Pulumi secret", () => {
        const holds = (text: string) => secrets.some((secret) => forms(secret).some((f) => text.includes(f)));
        let checked = 0;
        for (const s of emitted(e)) {
            const r = s.resource;
            const carriers: unknown[] = runtime === "docker" ? r.inputs.uploads.map((u: { content: unknown }) => u.content) : [r.inputs.stdin];
            for (const c of carriers.filter((x) => holds(String(plain(x))))) {
                expect({ service: `${s.label}@${s.host}`, secret: isSecret(c) }).toEqual({ service: `${s.label}@${s.host}`, secret: true });
                checked++;
            }
        }
        expect(checked).toBeGreaterThan(0);
    });
});

describe("rendered files", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "secrets-render-"));
    afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

    test.each(stackNames())("stack %s: placeholders only, never a value", async (stack) => {
        const config = stackConfig(stack);
        const e = await evaluate(config, stack);
        const secrets = secretValues(e, config);
        const dir = path.join(out, stack);
        const written = render(stack, dir);
        for (const rel of written) {
            const text = fs.readFileSync(path.join(dir, rel), "utf8");
            expect({ rel, leaks: leaks(text, secrets) }).toEqual({ rel, leaks: [] });
        }
        const secretFiles = written.filter((rel) => fs.readFileSync(path.join(dir, rel), "utf8").includes("{{secret:"));
        if (config["mesos-cluster:authentication"] !== "false") {
            expect(secretFiles.length).toBeGreaterThan(0);
        }
    });
});
