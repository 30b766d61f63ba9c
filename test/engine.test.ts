/**
 * The real Pulumi engine on this program: the CLI `npm run toolchain` builds from its Go module
 * (or the user's), driven by scripts/engine.ts. The resource plugins cannot be had on these
 * machines (toolchain/plugins.json), so the engine runs the program up to its first provider;
 * what it does up to there is real: the CLI's own config validation, secrets encrypted by the
 * CLI and handed to the program as secrets, a bad stack refused before any resource.
 *
 * Without a built CLI these tests are skipped with a warning, unless REQUIRE_TOOLS=1 (CI).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { requiredPlugins } from "../scripts/engineSetup";
import { CLI, allText, built, engine, initStack, leaks, missingHere, project, pulumi, run } from "./engineHarness";
import { ROOT, TEST_SECRETS, stackNames } from "./harness";

const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
const goMod = fs.readFileSync(path.join(ROOT, "toolchain", "cli", "go.mod"), "utf8");
const plugins: { kind: string; name: string; npm: string }[] = JSON.parse(fs.readFileSync(path.join(ROOT, "toolchain", "plugins.json"), "utf8")).plugins;

describe("the toolchain builds what package.json uses", () => {
    const required = (module: string) => new RegExp(`^\\s*${module.replace(/[./]/g, "\\$&")} (\\S+)`, "m").exec(goMod)?.[1];
    test("the CLI's module and its SDK at @pulumi/pulumi's version", () => {
        expect(manifest.dependencies["@pulumi/pulumi"]).toMatch(/^\d+\.\d+\.\d+$/);
        expect(required("github.com/pulumi/pulumi/pkg/v3")).toBe(`v${manifest.dependencies["@pulumi/pulumi"]}`);
        expect(required("github.com/pulumi/pulumi/sdk/v3")).toBe(`v${manifest.dependencies["@pulumi/pulumi"]}`);
    });
    test("a plugin for each package that has one, and the language host", () => {
        const needed = requiredPlugins(ROOT).map((p) => `resource ${p.name} ${p.npm}`);
        expect(needed.length).toBeGreaterThanOrEqual(3);
        expect(plugins.map((p) => `${p.kind} ${p.name} ${p.npm}`).sort()).toEqual([...needed, "language nodejs @pulumi/pulumi"].sort());
    });
    test("each plugin's version is its npm package's, pinned exactly", () => {
        for (const p of requiredPlugins(ROOT)) {
            expect(manifest.dependencies[p.npm]).toBe(p.version);
        }
    });
});

const real = built(CLI) ? describe : describe.skip;

real("the real engine, without the plugins", () => {
    jest.setTimeout(300_000);

    test("the built CLI is the pinned version", () => {
        expect(spawnSync(CLI, ["version"], { encoding: "utf8" }).stdout.trim()).toBe(`v${manifest.dependencies["@pulumi/pulumi"]}`);
    });

    test.each(stackNames())("%s: the CLI accepts the stack's config and the program runs to its first provider", (stack) => {
        const p = project(stack);
        initStack(p);
        const r = engine(p, "preview");
        expect(r.out).not.toMatch(/validating stack config|missing configuration value|must be encrypted/);
        expect(r.out).not.toMatch(/ConfigError|mesos-cluster:\w+: /);
        // The program ran: its cluster component was registered with the engine.
        expect(r.steps.map((s) => s.urn)).toContain(`urn:pulumi:${stack}::mesos-cluster::mesos:index:MesosCluster::mesos`);
        if (missingHere().length > 0) {
            // Then the engine stops where a plugin is missing, and nowhere else.
            expect(r.status).not.toBe(0);
            expect(r.out).toMatch(/no resource plugin 'pulumi-resource-(random|docker|command)' found/);
            expect(r.out).not.toMatch(/error: (?!no resource plugin)/);
        } else {
            expect(r.status).toBe(0);
        }
    });

    test("without the plugins `npm run engine -- up` starts nothing, naming each missing plugin", () => {
        const missing = missingHere();
        if (missing.length === 0) return;
        const p = project("dev");
        const r = run(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(ROOT, "scripts", "engine.ts"), "up", "--stack", "dev", "--yes", "--no-pull", "--dir", p.dir], {
            cwd: ROOT,
            env: p.env,
        });
        expect(r.status).toBe(1);
        for (const m of missing) expect(r.out).toContain(`resource plugin ${m.name} ${m.version}`);
        expect(r.out).toContain("nothing was created");
        // Not even the stack: the engine was never started.
        expect(fs.readdirSync(path.join(p.dir, "state"))).toEqual([]);
    });

    test("a bad stack is refused with every problem before any resource, and its secrets stay encrypted", () => {
        const p = project("e2e", (config) => {
            (config["mesos-cluster:masters"] as string[]).push("h14=127.0.0.14");
            config["mesos-cluster:agents"] = ["h11", "nowhere"];
        });
        const secrets = initStack(p);
        // A key whose value Pulumi would show anyway, set as a secret through the real CLI: the
        // program learns it is secret from the CLI (isConfigSecret) and refuses it.
        expect(pulumi(p, ["config", "set", "--secret", "--stack", "e2e", "containerPrefix", "e2e-secret-prefix-"]).status).toBe(0);
        const r = engine(p, "up");
        expect(r.status).not.toBe(0);
        expect(r.out).toMatch(/mesos-cluster:masters: 4 masters given; the count must be odd/);
        expect(r.out).toMatch(/mesos-cluster:agents\[1\]: "nowhere" has no address/);
        expect(r.out).toMatch(/mesos-cluster:containerPrefix: is set as a secret, but it cannot be kept one/);
        expect(r.out).not.toContain("e2e-secret-prefix-");
        // The engine's state: the stack and nothing else.
        const exported = pulumi(p, ["stack", "export", "--stack", "e2e"]);
        expect(exported.status).toBe(0);
        const types = (JSON.parse(exported.stdout).deployment.resources ?? []).map((res: { type: string }) => res.type);
        expect(types.filter((t: string) => t !== "pulumi:pulumi:Stack")).toEqual([]);
        const stored = `${allText(path.join(p.dir, "state"))}\n${fs.readFileSync(path.join(p.dir, "Pulumi.e2e.yaml"), "utf8")}\n${exported.out}`;
        expect(leaks(stored, [...secrets.map((k) => TEST_SECRETS[k]), "e2e-secret-prefix-"])).toEqual([]);
    });
});
