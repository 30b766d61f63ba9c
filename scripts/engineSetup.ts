/**
 * Which Pulumi CLI runs the engine, with what environment, and which plugins it lacks: shared
 * by scripts/engine.ts and the tests that drive the engine.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { PulumiFn } from "@pulumi/pulumi/automation";

export interface PulumiCli {
    /** The binary. */
    readonly command: string;
    /** For the automation API (`root/bin/pulumi`); undefined: `pulumi` on PATH. */
    readonly root?: string;
    /** Where the CLI keeps its plugins. */
    readonly home: string;
    /** The environment every CLI call gets. */
    readonly env: Record<string, string>;
}

function onPath(name: string): string | undefined {
    for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
        const file = path.join(dir, name);
        try {
            fs.accessSync(file, fs.constants.X_OK);
            return file;
        } catch {
            continue;
        }
    }
    return undefined;
}

/** The CLI `npm run toolchain` builds. */
export const toolchainCli = (root: string) => path.join(root, ".toolchain", "bin", "pulumi");

/**
 * The user's `pulumi` if one is on PATH (with their PULUMI_HOME and plugins), else the toolchain's
 * (.toolchain/bin/pulumi, plugins in .toolchain/pulumi-home, downloads off so that nothing is
 * fetched from outside). Either way: a file backend in `root`/.pulumi-state unless
 * PULUMI_BACKEND_URL is set, and an empty passphrase unless PULUMI_CONFIG_PASSPHRASE is set.
 */
export function pulumiCli(root: string, env: NodeJS.ProcessEnv = process.env): PulumiCli {
    const common = {
        PULUMI_BACKEND_URL: env.PULUMI_BACKEND_URL ?? `file://${path.join(root, ".pulumi-state")}`,
        PULUMI_CONFIG_PASSPHRASE: env.PULUMI_CONFIG_PASSPHRASE ?? "",
        PULUMI_SKIP_UPDATE_CHECK: "true",
    };
    const theirs = env.MESOS_CLUSTER_OWN_TOOLCHAIN === "1" ? undefined : onPath("pulumi");
    if (theirs !== undefined) {
        return { command: theirs, home: env.PULUMI_HOME ?? path.join(env.HOME ?? "/root", ".pulumi"), env: common };
    }
    const toolchain = path.join(root, ".toolchain");
    const command = toolchainCli(root);
    if (!fs.existsSync(command)) {
        throw new Error(`no Pulumi CLI: none on PATH and none built here; run \`npm run toolchain\` (builds ${command}) or install the Pulumi CLI`);
    }
    // MESOS_CLUSTER_PULUMI_HOME: another plugin folder (the tests': stand-in plugins, never installed in the toolchain's).
    const home = env.MESOS_CLUSTER_PULUMI_HOME ?? path.join(toolchain, "pulumi-home");
    return {
        command,
        root: toolchain,
        home,
        env: { ...common, PULUMI_HOME: home, PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true" },
    };
}

/** The resource plugins the program's packages need, as the Node.js language host reads them. */
export function requiredPlugins(root: string): { name: string; version: string; npm: string }[] {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
    return Object.keys(manifest.dependencies ?? {})
        .map((npm) => ({ npm, pkg: JSON.parse(fs.readFileSync(path.join(root, "node_modules", npm, "package.json"), "utf8")) }))
        .filter(({ pkg }) => pkg.pulumi?.resource === true)
        .map(({ npm, pkg }) => ({ name: pkg.pulumi.name ?? npm.replace(/^@pulumi\//, ""), version: pkg.pulumi.version ?? pkg.version, npm }));
}

/**
 * Each required plugin the CLI cannot find: not installed at its version in the CLI's plugin
 * folder, and no `pulumi-resource-NAME` on PATH or beside the CLI (which the CLI would take,
 * whatever version it asked for).
 */
export function absentPlugins(root: string, cli: PulumiCli): { name: string; version: string; npm: string }[] {
    const listed = JSON.parse(
        execFileSync(cli.command, ["plugin", "ls", "--json"], { env: { ...process.env, ...cli.env, PULUMI_HOME: cli.home }, encoding: "utf8" }) || "[]",
    ) as { name: string; kind: string; version: string }[];
    const installed = new Set((listed ?? []).filter((p) => p.kind === "resource").map((p) => `${p.name}@${p.version}`));
    return requiredPlugins(root)
        .filter((p) => !installed.has(`${p.name}@${p.version}`))
        .filter((p) => onPath(`pulumi-resource-${p.name}`) === undefined && !fs.existsSync(path.join(path.dirname(cli.command), `pulumi-resource-${p.name}`)));
}

/** absentPlugins, each said as `npm run engine` reports it. */
export function missingPlugins(root: string, cli: PulumiCli): string[] {
    return absentPlugins(root, cli).map((p) => `resource plugin ${p.name} ${p.version} (for ${p.npm}): not installed in ${cli.home}/plugins, nor on PATH`);
}

/**
 * `stackName` of the project in `dir` (Pulumi.yaml and the stack files), opened through the
 * automation API with `program` as its inline program: the CLI connects to the SDK's own language
 * server in this process, so no language host binary is needed. `select`: the stack must exist;
 * else it is created when it does not. A file backend's folder is made first.
 */
export async function openStack(cli: PulumiCli, dir: string, stackName: string, program: PulumiFn, how: "select" | "createOrSelect" = "createOrSelect") {
    // Loaded only here: the automation API is heavy, and the checks before an engine run need none of it.
    const { LocalWorkspace, PulumiCommand, Stack } = await import("@pulumi/pulumi/automation");
    if (cli.env.PULUMI_BACKEND_URL.startsWith("file://")) {
        fs.mkdirSync(cli.env.PULUMI_BACKEND_URL.slice("file://".length), { recursive: true });
    }
    const pulumiCommand = await PulumiCommand.get({ root: cli.root, skipVersionCheck: false });
    const workspace = await LocalWorkspace.create({ workDir: dir, program, pulumiCommand, envVars: cli.env });
    return how === "select" ? Stack.select(stackName, workspace) : Stack.createOrSelect(stackName, workspace);
}

/** The images every Dockerfile under `imagesDir` starts from (each stage's FROM). */
export function baseImages(imagesDir: string): { image: string; dockerfile: string }[] {
    const found: { image: string; dockerfile: string }[] = [];
    for (const service of fs.readdirSync(imagesDir).sort()) {
        const dockerfile = path.join(imagesDir, service, "Dockerfile");
        if (!fs.existsSync(dockerfile)) continue;
        const stages = new Set<string>();
        for (const line of fs.readFileSync(dockerfile, "utf8").split("\n")) {
            const m = /^FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?/i.exec(line.trim());
            if (!m) continue;
            // A stage built earlier in the same file is no image to have.
            if (!stages.has(m[1])) found.push({ image: m[1], dockerfile: path.relative(path.dirname(imagesDir), dockerfile) });
            if (m[2]) stages.add(m[2]);
        }
    }
    return found;
}

/**
 * The base images this machine's Docker engine lacks and cannot pull, each with the Dockerfiles
 * that need it: the docker runtime builds every image on the engine, and a base it cannot get
 * would stop the `up` halfway, after the services built from the others were created. With
 * `pull` false nothing is asked of any registry (the tests: they reach no address but loopback).
 */
export function missingBaseImages(imagesDir: string, options: { pull: boolean; docker?: string }): string[] {
    const docker = options.docker ?? "docker";
    const byImage = new Map<string, string[]>();
    for (const { image, dockerfile } of baseImages(imagesDir)) byImage.set(image, [...(byImage.get(image) ?? []), dockerfile]);
    const missing: string[] = [];
    for (const [image, files] of byImage) {
        try {
            execFileSync(docker, ["image", "inspect", "--format", "{{.Id}}", image], { stdio: "ignore" });
            continue;
        } catch {
            // Not here: pulled below if allowed.
        }
        let why = "not on this machine's Docker engine";
        if (options.pull) {
            try {
                execFileSync(docker, ["pull", image], { stdio: ["ignore", "inherit", "pipe"], timeout: 15 * 60_000, encoding: "utf8" });
                continue;
            } catch (e) {
                const stderr = String((e as { stderr?: string }).stderr ?? "").trim().split("\n").pop();
                why = `not on this machine's Docker engine, and \`docker pull\` failed: ${stderr || (e as Error).message}`;
            }
        }
        missing.push(`image ${image} (${files.join(", ")}): ${why}`);
    }
    return missing;
}

/** The toolchain's stand-in provider (toolchain/standin), built by `npm run toolchain`. */
export const standinBinary = (root: string) => path.join(root, ".toolchain", "standin", "pulumi-resource-standin");

/**
 * Installs the stand-in provider into the plugin folder `home` under each required plugin's name
 * and version, with the toolchain's CLI. For tests and the benchmark only: never into the
 * toolchain's own folder (.toolchain/pulumi-home), where the engine would take it for the real one.
 */
export function installStandin(root: string, home: string): void {
    if (path.resolve(home) === path.resolve(root, ".toolchain", "pulumi-home")) {
        throw new Error("the stand-in provider is never installed into the toolchain's plugin folder");
    }
    for (const p of requiredPlugins(root)) {
        const r = spawnSync(toolchainCli(root), ["plugin", "install", "resource", p.name, p.version, "--file", standinBinary(root)], { env: { ...process.env, PULUMI_HOME: home }, encoding: "utf8" });
        if (r.status !== 0) throw new Error(`${r.stdout}${r.stderr}`);
    }
}
