/**
 * npm run engine -- up|preview|refresh|destroy --stack NAME [options]: the real Pulumi engine
 * on this program. The CLI is the user's `pulumi` if one is on PATH, else the one
 * `npm run toolchain` builds (.toolchain/bin). The program runs in this process through the
 * Node.js SDK's own language server (@pulumi/pulumi/automation, an inline program: the CLI
 * connects to it with --client), so no language host binary is needed: the one of 3.248 cannot
 * be had here (toolchain/plugins.json). State goes to a file backend in .pulumi-state unless
 * PULUMI_BACKEND_URL says otherwise; secrets use PULUMI_CONFIG_PASSPHRASE (empty by default).
 *
 * Before the engine runs anything, every resource plugin the program's packages need must be
 * installed at their npm versions, as the CLI's own language host would require; a missing one
 * stops the run naming each, so nothing is half-created. Before an `up`, every host of the stack
 * must pass `npm run preflight` (scripts/preflight.ts), over the connection the deploy will use
 * (the systemd runtime: the stack's own SSH key, decrypted by the engine's workspace);
 * `--skip-preflight` goes without it.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as readline from "readline";
import { CONFIG_NAMESPACE } from "../components/config";
import { missingBaseImages, missingPlugins, openStack, pulumiCli } from "./engineSetup";
import { formatReport, preflight } from "./preflight";
import { readStackConfig, stackNames } from "./stackFile";

const ROOT = path.resolve(__dirname, "..");
const OPERATIONS = ["up", "preview", "refresh", "destroy"] as const;
type Operation = (typeof OPERATIONS)[number];

interface Options {
    readonly operation: Operation;
    readonly stack: string;
    /** The folder with Pulumi.yaml and the stack files: the project, or a copy of it elsewhere. */
    readonly dir: string;
    readonly targets: string[];
    readonly targetDependents: boolean;
    readonly expectNoChanges: boolean;
    readonly diff: boolean;
    readonly refresh: boolean;
    /** Pull missing base images before an `up` that builds here (off: nothing asked of a registry). */
    readonly pull: boolean;
    /** Up without the preview and its question. */
    readonly yes: boolean;
    /** Check every host before an `up` (off: --skip-preflight). */
    readonly preflight: boolean;
}

function usage(message: string): never {
    console.error(
        `engine: ${message}\nusage: npm run engine -- ${OPERATIONS.join("|")} --stack NAME [--target URN]... [--target-dependents] [--expect-no-changes] [--diff] [--refresh] [--no-pull] [--skip-preflight] [--yes] [--dir DIR]\n(stacks: ${stackNames(ROOT).join(", ")})`,
    );
    process.exit(2);
}

function parseArgs(argv: readonly string[]): Options {
    const [operation, ...rest] = argv;
    if (!OPERATIONS.includes(operation as Operation)) {
        usage(operation === undefined ? "no operation" : `unknown operation ${JSON.stringify(operation)}`);
    }
    let stack: string | undefined;
    let dir = ROOT;
    const targets: string[] = [];
    const flags = new Set<string>();
    for (let i = 0; i < rest.length; i++) {
        const arg = rest[i];
        if (["--stack", "-s", "--target", "-t", "--dir"].includes(arg)) {
            const value = rest[++i];
            if (value === undefined) usage(`${arg} needs a value`);
            if (arg === "--stack" || arg === "-s") stack = value;
            else if (arg === "--dir") dir = path.resolve(value);
            else targets.push(value);
        } else if (["--target-dependents", "--expect-no-changes", "--diff", "--refresh", "--no-pull", "--skip-preflight", "--yes", "-y", "--skip-preview"].includes(arg)) {
            flags.add(arg);
        } else {
            usage(`unknown option ${JSON.stringify(arg)}`);
        }
    }
    if (stack === undefined) usage("--stack is required");
    if (!fs.existsSync(path.join(dir, "Pulumi.yaml"))) usage(`no Pulumi.yaml in ${dir}`);
    if (!stackNames(dir).includes(stack)) usage(`no stack file Pulumi.${stack}.yaml in ${dir}`);
    return {
        operation: operation as Operation,
        stack,
        dir,
        targets,
        targetDependents: flags.has("--target-dependents"),
        expectNoChanges: flags.has("--expect-no-changes"),
        diff: flags.has("--diff"),
        refresh: flags.has("--refresh"),
        pull: !flags.has("--no-pull"),
        preflight: !flags.has("--skip-preflight"),
        yes: flags.has("--yes") || flags.has("-y") || flags.has("--skip-preview"),
    };
}

/**
 * As `pulumi up` does on a terminal: the preview first, then a question, unless --yes (or
 * --skip-preview) was given or nobody is there to answer (a script, CI).
 */
async function confirmed(options: Options, preview: () => Promise<unknown>): Promise<boolean> {
    if (options.yes || !process.stdin.isTTY) return true;
    await preview();
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
    const answer = await new Promise<string>((resolve) => rl.question(`Do you want to perform this update on ${options.stack}? [y/N] `, resolve));
    rl.close();
    return /^y(es)?$/i.test(answer.trim());
}

/**
 * `npm run preflight` of the stack before an `up`: every host read over the connection the deploy
 * will use, so for the systemd runtime with the stack's own SSH key, which only the engine's
 * workspace decrypts (written to a file of this user's for the check, removed after). Stops the
 * run, nothing created on any host, when any host has a problem.
 */
async function preflightOrStop(options: Options, config: Readonly<Record<string, string>>, sshKey: () => Promise<string | undefined>): Promise<void> {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), "mesos-cluster-preflight-"));
    let report;
    try {
        const key = config[`${CONFIG_NAMESPACE}:runtime`] === "systemd" ? await sshKey() : undefined;
        const identity = key === undefined ? undefined : path.join(folder, "key");
        if (identity !== undefined && key !== undefined) {
            fs.writeFileSync(identity, key.endsWith("\n") ? key : `${key}\n`, { mode: 0o600 });
        }
        report = await preflight({ stack: options.stack, dir: options.dir, identity });
    } finally {
        // Before any exit: process.exit skips a pending finally.
        fs.rmSync(folder, { recursive: true, force: true });
    }
    console.error(formatReport(report));
    if (report.problems.length > 0) {
        console.error(`engine: up of ${options.stack} not started; nothing was created on any host. Mend the problems above (docs/operations/preflight.md), or go without the check: --skip-preflight`);
        process.exit(1);
    }
}

async function main(): Promise<void> {
    const options = parseArgs(process.argv.slice(2));
    const cli = pulumiCli(ROOT);
    const problems = missingPlugins(ROOT, cli);
    const config = readStackConfig(options.dir, options.stack).values;
    const buildsHere = (config[`${CONFIG_NAMESPACE}:runtime`] ?? "docker") === "docker" && (config[`${CONFIG_NAMESPACE}:engine`] ?? "local") === "local";
    const images = options.operation === "up" && buildsHere ? missingBaseImages(path.join(ROOT, "images"), { pull: options.pull }) : [];
    if (problems.length + images.length > 0) {
        console.error(`engine: ${options.operation} of ${options.stack} not started; nothing was created. Missing:`);
        for (const m of [...problems, ...images]) console.error(`  - ${m}`);
        if (problems.length > 0) {
            console.error(`engine: install the plugins (the Pulumi installer, or PULUMI_HOME=${cli.home} ${cli.command} plugin install resource NAME VERSION --file BINARY)`);
        }
        if (images.length > 0) {
            console.error(
                "engine: give the engine the images: pull them through a registry mirror (\"registry-mirrors\" in /etc/docker/daemon.json), or `docker load -i FILE` from a machine that has them (`docker save IMAGE -o FILE`)",
            );
        }
        console.error("engine: what runs without them: docs/development/engine.md");
        process.exit(1);
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const stack = await openStack(cli, options.dir, options.stack, async () => require(path.join(ROOT, "index.ts")));
    if (options.operation === "up" && options.preflight) {
        await preflightOrStop(options, config, () =>
            stack.getConfig(`${CONFIG_NAMESPACE}:sshPrivateKey`).then(
                (v) => v.value,
                () => undefined,
            ),
        );
    }
    const onOutput = (out: string) => process.stdout.write(out);
    const common = { onOutput, target: options.targets.length > 0 ? options.targets : undefined, color: "auto" as const };
    switch (options.operation) {
        case "up":
            if (!(await confirmed(options, () => stack.preview({ ...common, diff: options.diff, refresh: options.refresh })))) {
                console.error("engine: not confirmed; nothing changed");
                process.exit(1);
            }
            await stack.up({ ...common, targetDependents: options.targetDependents, expectNoChanges: options.expectNoChanges, diff: options.diff, refresh: options.refresh });
            break;
        case "preview":
            await stack.preview({ ...common, targetDependents: options.targetDependents, expectNoChanges: options.expectNoChanges, diff: options.diff, refresh: options.refresh });
            break;
        case "refresh":
            await stack.refresh({ ...common, expectNoChanges: options.expectNoChanges });
            break;
        case "destroy":
            await stack.destroy({ ...common, targetDependents: options.targetDependents });
            break;
    }
}

main().catch((e: unknown) => {
    // The automation API's error repeats the CLI's whole output, which was shown as it came.
    const err = e as { commandResult?: { code?: number }; message?: string };
    console.error(err.commandResult !== undefined ? `engine: pulumi exited with ${err.commandResult.code}` : `engine: ${err.message ?? String(e)}`);
    process.exit(1);
});
