/**
 * npm run bench -- --engine [--write] [--quick]
 *
 * The program through the real engine (the toolchain's Pulumi CLI, the automation API's inline
 * program, stand-in provider plugins: toolchain/standin), against a bare program registering as
 * many resources through the same engine and plugins:
 *   1. `pulumi preview` of a fresh stack of the ha layout with 100 and 1,000 agents on both
 *      runtimes: wall time of the preview, and peak memory of the whole process tree (the node
 *      process running the automation API and the program, the CLI, the plugins; summed PSS,
 *      and summed RSS, which counts shared pages once per process), program and
 *      bare program in interleaved pairs, the ratios from the pairs, a verdict at 1,000 agents
 *      only when the sign test (bench/report.ts) puts the ratio on one side of the target;
 *   2. the no-op `pulumi up` of the e2e stack: a second `up` after a first, with expectNoChanges.
 * --write puts the figures, with the machine they ran on, into BENCHMARKS.md (between the
 * bench-engine markers). --quick: one pair at 10 agents and one no-op up (to try the harness).
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { installStandin, pulumiCli } from "../scripts/engineSetup";
import { projectDeclarations, secretKeys } from "../scripts/stackFile";
import type { Shaped } from "./engineRun";
import { Runtime, haConfigValues, stackValues } from "./layout";
import { fmt, spread, verdict, writeReport } from "./report";

const ROOT = path.resolve(__dirname, "..");
const RUNTIMES: Runtime[] = ["docker", "systemd"];
/** The target (issue 20, item 6): at 1,000 agents, the program within these multiples of the bare program. */
const TARGET = { agents: 1000, time: 1.5, memory: 1.5 };
/** How often the process tree's memory is read. */
const SAMPLE_MS = 50;

/** Where a benchmark keeps its stacks, and the plugin folder with the stand-ins. */
export interface Bench {
    readonly work: string;
    readonly home: string;
}

/** A fresh folder, with the stand-in provider installed in a plugin folder of its own. */
export function setUp(): Bench {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "bench-engine-"));
    const home = path.join(work, "pulumi-home");
    installStandin(ROOT, home);
    return { work, home };
}

export interface BenchStack {
    readonly dir: string;
    readonly stack: string;
    readonly env: Record<string, string>;
}

/**
 * A fresh stack in a folder of its own: Pulumi.yaml, a stack file with `values` (the declared
 * defaults left out, each value in its declared type), its own file backend and passphrase,
 * the stand-in plugins; `pulumi stack init`, and the secret keys set with `config set --secret`,
 * as test/engineHarness.ts's project() and initStack() make one.
 */
export function makeStack(bench: Bench, stack: string, values: Record<string, string>): BenchStack {
    const dir = fs.mkdtempSync(path.join(bench.work, `${stack}-`));
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const declared = projectDeclarations(ROOT) as Record<string, { default?: unknown; type?: string }>;
    const secret = new Set(secretKeys());
    const config: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(values)) {
        const d = declared[key];
        if (secret.has(key) || (d?.default !== undefined && (typeof d.default === "string" ? d.default : JSON.stringify(d.default)) === value)) continue;
        config[key] = d?.type !== undefined && d.type !== "string" ? JSON.parse(value) : value;
    }
    fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), JSON.stringify({ config }, null, 1));
    fs.mkdirSync(path.join(dir, "state"));
    const env = {
        PULUMI_BACKEND_URL: `file://${dir}/state`,
        PULUMI_CONFIG_PASSPHRASE: "bench-passphrase",
        MESOS_CLUSTER_OWN_TOOLCHAIN: "1",
        MESOS_CLUSTER_PULUMI_HOME: bench.home,
    };
    const cli = pulumiCli(ROOT, { ...process.env, ...env });
    const pulumi = (args: string[], input?: string) => {
        const r = spawnSync(cli.command, args, { cwd: dir, env: { ...process.env, ...cli.env, ...env }, input, encoding: "utf8", timeout: 120_000 });
        if (r.status !== 0) throw new Error(`pulumi ${args.join(" ")}: ${r.error?.message ?? ""}${r.stdout}${r.stderr}`);
    };
    pulumi(["stack", "init", stack, "--non-interactive"]);
    for (const key of Object.keys(values).filter((k) => secret.has(k))) {
        pulumi(["config", "set", "--secret", "--stack", stack, key.replace(/^[^:]+:/, "")], values[key]);
    }
    return { dir, stack, env };
}

/** Every process under `root`, with it (from /proc: this kernel has no children lists). */
function processTree(root: number): number[] {
    const children = new Map<number, number[]>();
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
            // pid (comm) state ppid …: the command may hold spaces and parentheses.
            const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
            children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
        } catch {
            // Gone since the listing.
        }
    }
    const tree = [root];
    for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]) ?? []));
    return tree;
}

/**
 * The summed memory of `pids`, in KiB: resident (RSS, each process's shared pages counted in
 * full by every process) and proportional (PSS, each shared page divided among the processes
 * that map it), both from /proc/PID/smaps_rollup.
 */
function memoryKb(pids: readonly number[]): { rss: number; pss: number } {
    let rss = 0;
    let pss = 0;
    for (const pid of pids) {
        try {
            const text = fs.readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
            rss += Number(/^Rss:\s+(\d+) kB/m.exec(text)?.[1] ?? 0);
            pss += Number(/^Pss:\s+(\d+) kB/m.exec(text)?.[1] ?? 0);
        } catch {
            // Exited between the listing and the read.
        }
    }
    return { rss, pss };
}

export interface EngineRun {
    readonly seconds: number;
    /** The peak of the process tree's summed PSS. */
    readonly peakMb: number;
    /** The peak of its summed RSS (shared pages counted once per process that maps them). */
    readonly peakRssMb: number;
    /** How long a reading took, on average, in ms. */
    readonly sampleMs: number;
    /** The most processes seen in the tree at once. */
    readonly processes: number;
    /** The engine's summary: resources by operation. */
    readonly summary: Record<string, number>;
}

/**
 * bench/engineRun.ts in a process of its own for `operation` of the stack, the whole process
 * tree's resident memory summed every SAMPLE_MS, its peak kept.
 */
export async function runEngine(s: BenchStack, operation: "preview" | "up" | "up-noop", mode: "program" | "bare", shapeFile = ""): Promise<EngineRun> {
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(__dirname, "engineRun.ts"), operation, mode, s.stack, s.dir, shapeFile], {
        cwd: ROOT,
        env: { ...process.env, ...s.env },
        stdio: ["ignore", "pipe", "pipe"],
    });
    const peak = { rss: 0, pss: 0, processes: 0, samples: 0, busyMs: 0 };
    let timer: NodeJS.Timeout | undefined;
    // Every SAMPLE_MS, or three times as long as the last reading took, so that the readings
    // (a thousand processes' on the docker runtime at 1,000 agents) take at most a quarter of a core.
    const sample = () => {
        if (child.pid === undefined) return;
        const t0 = Date.now();
        const tree = processTree(child.pid);
        const kb = memoryKb(tree);
        peak.rss = Math.max(peak.rss, kb.rss);
        peak.pss = Math.max(peak.pss, kb.pss);
        peak.processes = Math.max(peak.processes, tree.length);
        peak.samples += 1;
        const took = Date.now() - t0;
        peak.busyMs += took;
        timer = setTimeout(sample, Math.max(SAMPLE_MS, 3 * took));
    };
    timer = setTimeout(sample, SAMPLE_MS);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    clearTimeout(timer);
    const line = stdout.split("\n").find((l) => l.startsWith("RESULT "));
    const result = line === undefined ? undefined : (JSON.parse(line.slice("RESULT ".length)) as { status: number; seconds: number; summary: Record<string, number> });
    if (code !== 0 || result === undefined || result.status !== 0) {
        throw new Error(`engine ${operation} of ${mode} (${s.dir}) failed (exit ${code}):\n${stderr.slice(-4000)}`);
    }
    return {
        seconds: result.seconds,
        peakMb: peak.pss / 1024,
        peakRssMb: peak.rss / 1024,
        processes: peak.processes,
        sampleMs: peak.samples === 0 ? 0 : peak.busyMs / peak.samples,
        summary: result.summary,
    };
}

/**
 * The bare program's resources for a config: the program's registrations (under mocks, through
 * bench/evaluate.ts), each as its type, its provider and its inputs' lengths.
 */
export function shapeOf(bench: Bench, values: Record<string, string>): string {
    const config = path.join(bench.work, `config-${Date.now()}.json`);
    const out = `${config}.out`;
    fs.writeFileSync(config, JSON.stringify(values));
    const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(__dirname, "evaluate.ts"), "program", config, out], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 600_000,
        maxBuffer: 64 * 1024 * 1024,
    });
    if (r.status !== 0) throw new Error(`evaluation failed: ${r.error?.message ?? ""}${r.stderr}`);
    const registered = JSON.parse(fs.readFileSync(out, "utf8")).resources as { type: string; urn: string; custom: boolean; provider: string; inputs: Record<string, unknown> }[];
    const at = new Map(registered.map((x, i) => [x.urn, i]));
    const shape: Shaped[] = registered.map((x) => ({
        type: x.type,
        custom: x.custom,
        provider: x.provider === "" ? -1 : (at.get(x.provider.split("::").slice(0, -1).join("::")) ?? -1),
        inputs: Object.values(x.inputs).map((v) => JSON.stringify(v)?.length ?? 0),
    }));
    const file = path.join(bench.work, `shape-${Date.now()}.json`);
    fs.writeFileSync(file, JSON.stringify(shape));
    return file;
}

interface Figures {
    readonly seconds: number[];
    /** Peak PSS. */
    readonly mb: number[];
    /** Peak RSS. */
    readonly rssMb: number[];
}

export interface Pairs {
    readonly resources: number;
    /** The most processes in the tree at once (the program's, in the last pair). */
    readonly processes: number;
    readonly program: Figures;
    readonly bare: Figures;
    readonly ratio: Figures;
}

/**
 * `pairs` previews of the program and of the bare program, each of a fresh stack, one right after
 * the other, the order turning every pair.
 */
export async function measure(bench: Bench, agents: number, runtime: Runtime, pairs: number, log: (s: string) => void = () => undefined): Promise<Pairs> {
    const values = haConfigValues(agents, 3, runtime);
    const shape = shapeOf(bench, values);
    const figures = (): Figures => ({ seconds: [], mb: [], rssMb: [] });
    const m: Pairs = { resources: 0, processes: 0, program: figures(), bare: figures(), ratio: figures() };
    let resources = 0;
    let processes = 0;
    for (let i = 0; i < pairs; i++) {
        const run = async (mode: "program" | "bare") => {
            const s = makeStack(bench, "ha", values);
            const r = await runEngine(s, "preview", mode, shape);
            fs.rmSync(s.dir, { recursive: true, force: true });
            return r;
        };
        const [first, second] = i % 2 === 0 ? (["program", "bare"] as const) : (["bare", "program"] as const);
        const a = await run(first);
        const b = await run(second);
        const [p, x] = first === "program" ? [a, b] : [b, a];
        const created = (r: EngineRun) => r.summary.create ?? 0;
        if (created(p) !== created(x)) throw new Error(`the program previews ${created(p)} creations, the bare program ${created(x)}`);
        resources = created(p);
        processes = p.processes;
        for (const [into, r] of [
            [m.program, p],
            [m.bare, x],
        ] as const) {
            into.seconds.push(r.seconds);
            into.mb.push(r.peakMb);
            into.rssMb.push(r.peakRssMb);
        }
        m.ratio.seconds.push(p.seconds / x.seconds);
        m.ratio.mb.push(p.peakMb / x.peakMb);
        m.ratio.rssMb.push(p.peakRssMb / x.peakRssMb);
        log(`  ${runtime} ${agents} pair ${i + 1}/${pairs}: program ${fmt(p.seconds)} s ${fmt(p.peakMb, 0)} MiB, bare ${fmt(x.seconds)} s ${fmt(x.peakMb, 0)} MiB; RSS ${fmt(p.peakRssMb, 0)} and ${fmt(x.peakRssMb, 0)} MiB; ${p.processes} and ${x.processes} processes; a reading ${fmt(p.sampleMs, 0)} and ${fmt(x.sampleMs, 0)} ms`);
    }
    return { ...m, resources, processes };
}

/** The e2e stack's first `up`, then `runs` no-op ones (expectNoChanges), each timed. */
export async function noopUps(bench: Bench, runs: number): Promise<{ first: EngineRun; noop: EngineRun[] }> {
    const s = makeStack(bench, "e2e", stackValues("e2e"));
    const first = await runEngine(s, "up", "program");
    const noop: EngineRun[] = [];
    for (let i = 0; i < runs; i++) noop.push(await runEngine(s, "up-noop", "program"));
    return { first, noop };
}

/**
 * What is measured, and how often. 11 pairs at 1,000 agents (the sign test's 9 of 11, as the
 * mocks' part) where it fits in the run's ~25 minutes: a docker pair at 1,000 agents takes ~3
 * minutes here (one provider plugin process per host: ~1,000 of them, for the program and the
 * bare program alike), so docker gets 5 (a verdict needs all 5: 1/32 = 3.1% under the other
 * side), systemd 11 (a pair ~1 minute). 100 agents: 3 pairs, no verdict.
 */
function plan(quick: boolean): { agents: number; runtime: Runtime; pairs: number }[] {
    if (quick) return RUNTIMES.map((runtime) => ({ agents: 10, runtime, pairs: 1 }));
    return [
        ...RUNTIMES.map((runtime) => ({ agents: 100, runtime, pairs: 3 })),
        { agents: TARGET.agents, runtime: "systemd", pairs: 11 },
        { agents: TARGET.agents, runtime: "docker", pairs: 5 },
    ];
}

export async function engineBench(options: { quick: boolean; write: boolean }): Promise<void> {
    const started = Date.now();
    const lines: string[] = [];
    const say = (line = "") => {
        lines.push(line);
        console.log(line);
    };
    const progress = (s: string) => console.error(s);
    const bench = setUp();
    try {
        const measured: { runtime: Runtime; agents: number; m: Pairs }[] = [];
        for (const { agents, runtime, pairs } of plan(options.quick)) {
            measured.push({ runtime, agents, m: await measure(bench, agents, runtime, pairs, progress) });
        }
        const ups = await noopUps(bench, options.quick ? 1 : 5);
        measured.sort((a, b) => a.runtime.localeCompare(b.runtime) || a.agents - b.agents);

        say("## 7. The real engine: `pulumi preview` and a no-op `pulumi up` (stand-in providers)");
        say();
        say(
            `Program and bare program through the real engine with stand-in providers, each preview of a fresh stack; in interleaved pairs (${measured.map((x) => `${x.m.program.seconds.length} for ${x.runtime} at ${x.agents}`).join(", ")}), each figure the median (min–max), each ratio taken within a pair. Time: the preview's wall time. Memory: the peak of the whole process tree's summed PSS (the node process running the automation API and the program, the CLI, the provider plugins), and of its summed RSS, which counts the plugins' shared pages once per process. The providers are stand-ins (toolchain/standin: they touch nothing and return their inputs), so the providers' own cost is not the real providers'. How they are taken: docs/development/benchmark.md.`,
        );
        say();
        say("| runtime | agents | resources | processes | program s | bare s | ratio s | program peak PSS MiB | bare peak PSS MiB | ratio PSS | program peak RSS MiB | bare peak RSS MiB | ratio RSS |");
        say("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (const { runtime, agents, m } of measured) {
            say(
                `| ${runtime} | ${agents} | ${m.resources} | ${m.processes} | ${spread(m.program.seconds)} | ${spread(m.bare.seconds)} | ${spread(m.ratio.seconds)} | ${spread(m.program.mb, 0)} | ${spread(m.bare.mb, 0)} | ${spread(m.ratio.mb)} | ${spread(m.program.rssMb, 0)} | ${spread(m.bare.rssMb, 0)} | ${spread(m.ratio.rssMb)} |`,
            );
        }
        say();
        const judged = measured.filter((x) => x.agents === TARGET.agents);
        for (const { runtime, agents, m } of judged) {
            say(
                `- ${runtime}, ${agents} agents: time ratio ≤ ${TARGET.time}: ${verdict(m.ratio.seconds, TARGET.time)} (${spread(m.ratio.seconds)}); peak memory (PSS) ratio ≤ ${TARGET.memory}: ${verdict(m.ratio.mb, TARGET.memory)} (${spread(m.ratio.mb)}); RSS ratio ≤ ${TARGET.memory}: ${verdict(m.ratio.rssMb, TARGET.memory)} (${spread(m.ratio.rssMb)}).`,
            );
        }
        if (judged.length > 0) say();
        const changed = ups.noop.filter((u) => Object.entries(u.summary).some(([op, n]) => op !== "same" && n > 0)).length;
        say(
            `No-op \`pulumi up\` of the e2e stack (systemd runtime, 3 masters; the first up created ${ups.first.summary.create ?? 0} resources in ${fmt(ups.first.seconds)} s): ${spread(ups.noop.map((u) => u.seconds))} s, peak PSS ${spread(ups.noop.map((u) => u.peakMb), 0)} MiB (RSS ${spread(ups.noop.map((u) => u.peakRssMb), 0)} MiB), ${ups.noop.length} run(s) one after another on the same stack, each with expectNoChanges: ${changed === 0 ? "none changed anything" : `${changed} changed something`}.`,
        );
        say();
        say(`The whole run took ${fmt((Date.now() - started) / 60_000, 1)} minutes.`);
    } finally {
        fs.rmSync(bench.work, { recursive: true, force: true });
    }
    if (options.write) writeReport(lines, "bench-engine");
}
