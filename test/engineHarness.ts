/**
 * What the real engine's tests share: copies of the project's stacks in folders of their own
 * (their own state, passphrase and, for the stand-in's tests, plugin folder), the CLI, and the
 * engine run in a process of its own (test/tools/runEngine.ts).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { absentPlugins, installStandin, pulumiCli, standinBinary, toolchainCli } from "../scripts/engineSetup";
import { ROOT, TEST_SECRETS } from "./harness";
import { forms } from "./leaks";

export const CLI = toolchainCli(ROOT);
export const STANDIN = standinBinary(ROOT);

/**
 * Whether `file` (npm run toolchain builds it) is there. Without it the suite is skipped with a
 * warning, unless REQUIRE_TOOLS=1 (CI), where it fails.
 */
export function built(file: string): boolean {
    const there = fs.existsSync(file);
    if (!there && process.env.REQUIRE_TOOLS === "1") {
        throw new Error(`REQUIRE_TOOLS=1 but ${file} is not built (npm run toolchain)`);
    }
    if (!there) console.warn(`no ${path.relative(ROOT, file)}: skipping the real engine's tests (npm run toolchain builds it).`);
    return there;
}

export interface Project {
    readonly dir: string;
    readonly stack: string;
    readonly env: Record<string, string>;
}

const WORK = fs.mkdtempSync(path.join(os.tmpdir(), "engine-test-"));
afterAll(() => fs.rmSync(WORK, { recursive: true, force: true }));

/**
 * A copy of Pulumi.yaml and one stack file, `edit`ed, with its state in a backend of its own.
 * The shipped stacks' hosts become loopback addresses where nothing listens: a test reaches
 * nothing else, even where a real provider would dial its hosts.
 */
export function project(stack: string, edit: (config: Record<string, unknown>) => void = () => undefined, env: Record<string, string> = {}): Project {
    const dir = fs.mkdtempSync(path.join(WORK, `${stack}-`));
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const text = fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8").replace(/\b10\.\d+\.(\d+)\.(\d+)\b/g, "127.77.$1.$2");
    const doc = parse(text);
    // The copy's secrets use the test's passphrase, not the one the shipped file's salt is for.
    delete doc.encryptionsalt;
    edit(doc.config);
    fs.mkdirSync(path.join(dir, "state"));
    const p = {
        dir,
        stack,
        env: { PULUMI_BACKEND_URL: `file://${dir}/state`, PULUMI_CONFIG_PASSPHRASE: "engine-test-passphrase", MESOS_CLUSTER_OWN_TOOLCHAIN: "1", ...env },
    };
    writeConfig(p, doc.config);
    return p;
}

/** Rewrites the copy's stack file with `config` (the encrypted values the CLI set kept). */
export function writeConfig(p: Project, config: Record<string, unknown>): void {
    const file = path.join(p.dir, `Pulumi.${p.stack}.yaml`);
    const old = fs.existsSync(file) ? parse(fs.readFileSync(file, "utf8")) : {};
    fs.writeFileSync(file, JSON.stringify({ ...old, config: { ...old.config, ...config } }, null, 1));
}

export function run(command: string, args: string[], options: { cwd: string; env: Record<string, string>; input?: string }) {
    const r = spawnSync(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, input: options.input, encoding: "utf8", timeout: 280_000 });
    if (r.error) throw r.error;
    return { status: r.status, out: `${r.stdout}${r.stderr}`, stdout: r.stdout };
}

/** The CLI in the copy's folder, with its environment. */
export function pulumi(p: Project, args: string[], input?: string) {
    const cli = pulumiCli(ROOT, { ...process.env, ...p.env });
    return run(cli.command, args, { cwd: p.dir, env: { ...cli.env, ...p.env }, input });
}

/** `pulumi stack init`, then the stack's secrets set as an operator would (`config set --secret`). */
export function initStack(p: Project): string[] {
    const init = pulumi(p, ["stack", "init", p.stack, "--non-interactive"]);
    if (init.status !== 0) throw new Error(init.out);
    const config = parse(fs.readFileSync(path.join(p.dir, `Pulumi.${p.stack}.yaml`), "utf8")).config ?? {};
    const has = (key: string) => (config[`mesos-cluster:${key}`] ?? "") !== "";
    const wanted = Object.keys(TEST_SECRETS).filter((k) =>
        k.endsWith(":chronosMailPassword") ? has("chronosMailUser") : k.endsWith(":registryTlsKey") ? has("registryTlsCertificate") : config["mesos-cluster:runtime"] === "systemd",
    );
    for (const key of wanted) {
        const r = pulumi(p, ["config", "set", "--secret", "--stack", p.stack, key.replace(/^mesos-cluster:/, "")], TEST_SECRETS[key]);
        if (r.status !== 0) throw new Error(r.out);
    }
    return wanted;
}

export interface EngineRun {
    readonly status: number;
    readonly out: string;
    /** Each resource's operation, in the order the engine began them. */
    readonly steps: { urn: string; op: string }[];
    readonly summary: Record<string, number> | undefined;
}

/** The real engine: `operation` of the copy's stack, in a process of its own. */
export function engine(p: Project, operation: "preview" | "up" | "refresh" | "destroy", options: Record<string, unknown> = {}, env: Record<string, string> = {}): EngineRun {
    const r = run(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(ROOT, "test", "tools", "runEngine.ts"), operation, p.stack, p.dir, JSON.stringify(options)], {
        cwd: ROOT,
        env: { ...p.env, ...env },
    });
    const line = r.stdout.split("\n").find((l) => l.startsWith("RESULT "));
    if (line === undefined) throw new Error(`no result from the engine run:\n${r.out}`);
    const result = JSON.parse(line.slice("RESULT ".length));
    return { status: result.status, out: r.out, steps: result.steps, summary: result.summary };
}

/** Every file under `dir`, as one text. */
export function allText(dir: string): string {
    return fs
        .readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => fs.readFileSync(path.join(e.parentPath, e.name), "utf8"))
        .join("\n");
}

/** The required plugins the toolchain's CLI cannot find. */
export function missingHere(): { name: string; version: string }[] {
    return absentPlugins(ROOT, pulumiCli(ROOT, { ...process.env, MESOS_CLUSTER_OWN_TOOLCHAIN: "1", MESOS_CLUSTER_PULUMI_HOME: undefined }));
}

/** A plugin folder holding the stand-in under each required plugin's name and version. */
export function standinHome(): string {
    const home = fs.mkdtempSync(path.join(WORK, "standin-home-"));
    installStandin(ROOT, home);
    return home;
}

/**
 * The secret values a stack's state, config file and export must not show, in any of the forms
 * the other suites look for (test/leaks.ts forms: as it is, and inside base64); a key's lines
 * each on their own too, since a serializer may re-wrap it.
 */
export function leaks(text: string, values: readonly string[]): string[] {
    const found: string[] = [];
    values.forEach((value, i) => {
        const pieces = [value, ...value.split("\n").filter((l) => l.length >= 12 && !l.startsWith("-----"))];
        for (const piece of pieces) {
            const form = forms(piece).find((f) => text.includes(f));
            if (form !== undefined) found.push(`secret #${i} ${form === piece ? "in plain text" : "in base64"}`);
        }
    });
    return found;
}
