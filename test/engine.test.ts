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
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { pulumiCli, requiredPlugins } from "../scripts/engineSetup";
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

const CLI = path.join(ROOT, ".toolchain", "bin", "pulumi");
const built = fs.existsSync(CLI);
if (!built && process.env.REQUIRE_TOOLS === "1") {
    throw new Error(`REQUIRE_TOOLS=1 but ${CLI} is not built (npm run toolchain)`);
}
if (!built) console.warn("no .toolchain/bin/pulumi: skipping the real engine's tests (npm run toolchain builds it).");
const real = built ? describe : describe.skip;

const WORK = fs.mkdtempSync(path.join(os.tmpdir(), "engine-test-"));
afterAll(() => fs.rmSync(WORK, { recursive: true, force: true }));

/** A copy of the project's Pulumi.yaml and one stack file, with its state in a backend of its own. */
function project(stack: string, edit: (config: Record<string, unknown>) => void = () => undefined): { dir: string; env: Record<string, string> } {
    const dir = fs.mkdtempSync(path.join(WORK, `${stack}-`));
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    // The shipped stacks' hosts become loopback addresses where nothing listens: a test reaches
    // nothing else, even where the plugins are installed and a provider would dial its hosts.
    const text = fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8").replace(/\b10\.\d+\.(\d+)\.(\d+)\b/g, "127.77.$1.$2");
    const doc = parse(text);
    // The copy's secrets use the test's passphrase, not the one the shipped file's salt is for.
    delete doc.encryptionsalt;
    edit(doc.config);
    fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), JSON.stringify(doc, null, 1));
    fs.mkdirSync(path.join(dir, "state"));
    const env = {
        PULUMI_BACKEND_URL: `file://${dir}/state`,
        PULUMI_CONFIG_PASSPHRASE: "engine-test-passphrase",
        MESOS_CLUSTER_OWN_TOOLCHAIN: "1",
    };
    return { dir, env };
}

function run(command: string, args: string[], options: { cwd: string; env: Record<string, string>; input?: string }) {
    const r = spawnSync(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, input: options.input, encoding: "utf8", timeout: 240_000 });
    if (r.error) throw r.error;
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

const pulumi = (p: { dir: string; env: Record<string, string> }, args: string[], input?: string) => {
    const cli = pulumiCli(ROOT, { ...process.env, ...p.env });
    return run(cli.command, args, { cwd: p.dir, env: { ...cli.env, ...p.env }, input });
};
const engine = (p: { dir: string; env: Record<string, string> }, args: string[]) =>
    run(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(ROOT, "scripts", "engine.ts"), ...args, "--dir", p.dir], { cwd: ROOT, env: p.env });

/** The stack's secrets, set as an operator would: `pulumi config set --secret KEY < FILE`. */
function setSecrets(p: { dir: string; env: Record<string, string> }, stack: string): string[] {
    const config = parse(fs.readFileSync(path.join(p.dir, `Pulumi.${stack}.yaml`), "utf8")).config ?? {};
    const has = (key: string) => (config[`mesos-cluster:${key}`] ?? "") !== "";
    const wanted = Object.keys(TEST_SECRETS).filter((k) =>
        k.endsWith(":chronosMailPassword") ? has("chronosMailUser") : k.endsWith(":registryTlsKey") ? has("registryTlsCertificate") : config["mesos-cluster:runtime"] === "systemd",
    );
    for (const key of wanted) {
        const r = pulumi(p, ["config", "set", "--secret", "--stack", stack, key.replace(/^mesos-cluster:/, "")], TEST_SECRETS[key]);
        expect(r.status).toBe(0);
    }
    return wanted;
}

/** Every file under `dir`, as one text. */
function allText(dir: string): string {
    return fs
        .readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => fs.readFileSync(path.join(e.parentPath, e.name), "utf8"))
        .join("\n");
}

const missingPluginsHere = () => {
    const r = spawnSync(CLI, ["plugin", "ls", "--json"], { env: { ...process.env, PULUMI_HOME: path.join(ROOT, ".toolchain", "pulumi-home") }, encoding: "utf8" });
    const listed = JSON.parse(r.stdout || "[]") ?? [];
    return requiredPlugins(ROOT).filter((p) => !listed.some((l: { name: string; version: string }) => l.name === p.name && l.version === p.version));
};

real("the real engine", () => {
    jest.setTimeout(300_000);

    test("the built CLI is the pinned version", () => {
        expect(spawnSync(CLI, ["version"], { encoding: "utf8" }).stdout.trim()).toBe(`v${manifest.dependencies["@pulumi/pulumi"]}`);
    });

    test.each(stackNames())("%s: the CLI accepts the stack's config and the program runs to its first provider", (stack) => {
        const p = project(stack);
        expect(pulumi(p, ["stack", "init", stack, "--non-interactive"]).status).toBe(0);
        setSecrets(p, stack);
        // --skip... nothing: the engine itself, with the preflight bypassed so that it goes as far as it can.
        const r = run(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", ENGINE_WITHOUT_PREFLIGHT, stack, p.dir], { cwd: ROOT, env: p.env });
        expect(r.out).not.toMatch(/validating stack config|missing configuration value|must be encrypted/);
        expect(r.out).not.toMatch(/ConfigError|mesos-cluster:\w+: /);
        // The program ran: its cluster component was registered with the engine.
        expect(r.out).toMatch(/mesos:index:MesosCluster\s+mesos\s+create/);
        if (missingPluginsHere().length > 0) {
            // Then the engine stops where a plugin is missing, and nowhere else.
            expect(r.status).not.toBe(0);
            expect(r.out).toMatch(/no resource plugin 'pulumi-resource-(random|docker|command)' found/);
            expect(r.out.match(/error: /g)?.length).toBeGreaterThanOrEqual(1);
            expect(r.out).not.toMatch(/error: (?!no resource plugin)/);
        } else {
            expect(r.status).toBe(0);
        }
    });

    test("without the plugins an up starts nothing, naming each missing plugin", () => {
        const missing = missingPluginsHere();
        if (missing.length === 0) return;
        const p = project("dev");
        const r = engine(p, ["up", "--stack", "dev", "--yes", "--no-pull"]);
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
        expect(pulumi(p, ["stack", "init", "e2e", "--non-interactive"]).status).toBe(0);
        const secrets = setSecrets(p, "e2e");
        // A key whose value Pulumi would show anyway, set as a secret through the real CLI: the
        // program learns it is secret from the CLI (isConfigSecret) and refuses it.
        expect(pulumi(p, ["config", "set", "--secret", "--stack", "e2e", "containerPrefix", "e2e-secret-prefix-"]).status).toBe(0);
        const r = run(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", ENGINE_WITHOUT_PREFLIGHT_UP, "e2e", p.dir], { cwd: ROOT, env: p.env });
        expect(r.status).not.toBe(0);
        expect(r.out).toMatch(/mesos-cluster:masters: .*odd/i);
        expect(r.out).toMatch(/mesos-cluster:agents.*nowhere/);
        expect(r.out).toMatch(/mesos-cluster:containerPrefix: is set as a secret, but it cannot be kept one/);
        expect(r.out).not.toContain("e2e-secret-prefix-");
        // The engine's state: the stack and nothing else.
        const exported = pulumi(p, ["stack", "export", "--stack", "e2e"]);
        expect(exported.status).toBe(0);
        const types = (JSON.parse(exported.out).deployment.resources ?? []).map((res: { type: string }) => res.type);
        expect(types.filter((t: string) => t !== "pulumi:pulumi:Stack")).toEqual([]);
        // No secret in plain text or base64 in the state, the stack file or the export.
        const stored = `${allText(path.join(p.dir, "state"))}\n${fs.readFileSync(path.join(p.dir, "Pulumi.e2e.yaml"), "utf8")}\n${exported.out}`;
        for (const value of [...secrets.map((k) => TEST_SECRETS[k]), "e2e-secret-prefix-"]) {
            for (const line of value.split("\n").filter((l) => l.length >= 12 && !l.startsWith("-----"))) {
                expect(stored).not.toContain(line);
            }
            expect(stored).not.toContain(Buffer.from(value).toString("base64").slice(0, 40));
        }
    });
});

/**
 * scripts/engine.ts's run without its plugin check, so that the engine itself goes as far as it
 * can and says what stops it: argv stack, dir.
 */
const engineRun = (operation: "preview" | "up") => `
const path = require("path");
const { LocalWorkspace, PulumiCommand, Stack } = require("@pulumi/pulumi/automation");
const { pulumiCli } = require(${JSON.stringify(path.join(ROOT, "scripts", "engineSetup"))});
(async () => {
    const [stackName, dir] = process.argv.slice(-2);
    const cli = pulumiCli(${JSON.stringify(ROOT)});
    const pulumiCommand = await PulumiCommand.get({ root: cli.root });
    const program = async () => require(${JSON.stringify(path.join(ROOT, "index.ts"))});
    const ws = await LocalWorkspace.create({ workDir: dir, program, pulumiCommand, envVars: cli.env });
    const stack = await Stack.createOrSelect(stackName, ws);
    await stack.${operation}({ onOutput: (s) => process.stdout.write(s) });
})().catch((e) => { process.stdout.write(String(e && e.commandResult ? e.commandResult.stdout + e.commandResult.stderr : e)); process.exit(1); });
`;
const ENGINE_WITHOUT_PREFLIGHT = engineRun("preview");
const ENGINE_WITHOUT_PREFLIGHT_UP = engineRun("up");
