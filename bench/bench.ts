/**
 * npm run bench [-- --write] [--quick]
 *
 * The program's cost and reach, each evaluation in a fresh process under Pulumi's mocks, loaded
 * through ts-node as `pulumi preview` loads it (bench/evaluate.ts):
 *   1. evaluation time and peak memory of the ha layout with 10 to 5,000 agents on both runtimes,
 *      against a baseline that registers as many trivial resources: program and baseline run in
 *      interleaved pairs, each figure a median with its range, the ratios from the pairs; a
 *      verdict only when a sign test on the pairs puts the ratio on one side of the target;
 *   2. the largest cluster that evaluates within 4 GiB and within 60 s, predicted from those
 *      figures and then evaluated;
 *   3. the critical path of the resource graph at each size;
 *   4. what a preview that changes one agent costs against one that changes nothing;
 *   5. no-op: the same config twice gives identical inputs;
 *   6. blast radius: what one agent's change, an added agent and added masters touch.
 * --write puts the figures, with the machine they ran on, into BENCHMARKS.md. --quick runs
 * fewer pairs and sizes (to try the harness, not to judge).
 *
 * npm run bench -- --engine [--write] [--quick] runs the other part instead (bench/engine.ts):
 * `pulumi preview` through the real engine with stand-in providers, against a bare program, and
 * the no-op `pulumi up` of the e2e stack. A run of its own: ~25 minutes, and a toolchain
 * (`npm run toolchain`) that the mocks' part does not need.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Node, criticalPath, diff, nameOf, serialChain } from "./analysis";
import { engineBench } from "./engine";
import { Runtime, haConfigValues } from "./layout";
import { fmt, median, spread, verdict, writeReport } from "./report";

const ROOT = path.resolve(__dirname, "..");
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), "bench-"));
const QUICK = process.argv.includes("--quick");
const RUNTIMES: Runtime[] = ["docker", "systemd"];
/** The target: at 1,000 agents, the program within these multiples of the baseline. */
const TARGET = { agents: 1000, time: 1.5, memory: 2 };
/**
 * Pairs per size. At the target size, 11: a verdict needs at least 9 of the 11 ratios on one
 * side of the target (a one-sided sign test: were the ratio's median on the other side, 9 or
 * more of 11 would land on this one with probability 67/2048 = 3.3%), so one or two pairs hit by
 * a hiccup of the machine do not decide it. (7 pairs needed all 7, and one pair at 2.56 where
 * the other six read 1.08-1.47 made the verdict inconclusive.)
 */
const PAIRS: Record<number, number> = QUICK ? { 10: 1, 1000: 3 } : { 10: 3, 100: 3, 1000: 11, 5000: 3 };
const SIZES = Object.keys(PAIRS).map(Number);
const LIMITS = { memoryMb: 4096, seconds: 60 };

interface Run {
    readonly seconds: number;
    readonly maxRssMb: number;
    readonly resources: Node[];
}

let files = 0;
function evaluateIn(mode: "program" | "baseline" | "matched", arg: string, timeoutMs = 600_000): Run {
    const out = path.join(TMP, `run-${files++}.json`);
    const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(__dirname, "evaluate.ts"), mode, arg, out], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: timeoutMs,
        maxBuffer: 64 * 1024 * 1024,
    });
    if (r.status !== 0) {
        throw new Error(`evaluation failed (${mode} ${arg}): ${r.error?.message ?? ""}${r.stderr}`);
    }
    const run = JSON.parse(fs.readFileSync(out, "utf8")) as Run;
    fs.rmSync(out);
    return run;
}

function jsonFile(value: unknown): string {
    const file = path.join(TMP, `input-${files++}.json`);
    fs.writeFileSync(file, JSON.stringify(value));
    return file;
}
const configFile = (values: Record<string, string>) => jsonFile(values);

const program = (values: Record<string, string>) => evaluateIn("program", configFile(values));
interface Measured {
    readonly agents: number;
    readonly runtime: Runtime;
    readonly resources: number;
    readonly program: { seconds: number[]; mb: number[] };
    readonly baseline: { seconds: number[]; mb: number[] };
    readonly ratio: { seconds: number[]; mb: number[] };
    /** Against the baseline whose resources have as many inputs as the program's (at the target size). */
    readonly matched: { seconds: number[]; mb: number[]; inputs: number };
    readonly matchedRatio: { seconds: number[]; mb: number[] };
    readonly criticalPath: number;
}

/**
 * `pairs` evaluations of the program and of a baseline with as many resources, one after the
 * other, alternating which goes first so that a drift of the machine weighs on both alike.
 */
function measure(agents: number, runtime: Runtime, pairs: number): Measured {
    const config = configFile(haConfigValues(agents, 3, runtime));
    const m: Measured = {
        agents,
        runtime,
        resources: 0,
        program: { seconds: [], mb: [] },
        baseline: { seconds: [], mb: [] },
        ratio: { seconds: [], mb: [] },
        matched: { seconds: [], mb: [], inputs: 0 },
        matchedRatio: { seconds: [], mb: [] },
        criticalPath: 0,
    };
    const withMatched = agents === TARGET.agents;
    let resources = 0;
    let depth = 0;
    let inputs = "";
    for (let i = 0; i < pairs; i++) {
        let p: Run | undefined;
        let b: Run | undefined;
        let x: Run | undefined;
        const steps = [
            () => {
                p = evaluateIn("program", config);
                resources = p.resources.length;
                depth = criticalPath(p.resources);
                if (inputs === "") {
                    const counts = p.resources.map((r) => Object.keys(r.inputs as object).length);
                    m.matched.inputs = counts.reduce((a, c) => a + c, 0);
                    inputs = jsonFile(counts);
                }
            },
            () => (b = evaluateIn("baseline", String(resources))),
            ...(withMatched ? [() => (x = evaluateIn("matched", inputs))] : []),
        ];
        // The program first in the first round (it says how many resources), then the order
        // turns, so that a drift of the machine weighs on every kind alike.
        const order = steps.map((_, k) => (k + i) % steps.length);
        order.forEach((k) => steps[k]());
        const [pr, br] = [p as Run, b as Run];
        m.program.seconds.push(pr.seconds);
        m.program.mb.push(pr.maxRssMb);
        m.baseline.seconds.push(br.seconds);
        m.baseline.mb.push(br.maxRssMb);
        m.ratio.seconds.push(pr.seconds / br.seconds);
        m.ratio.mb.push(pr.maxRssMb / br.maxRssMb);
        if (x !== undefined) {
            m.matched.seconds.push(x.seconds);
            m.matched.mb.push(x.maxRssMb);
            m.matchedRatio.seconds.push(pr.seconds / x.seconds);
            m.matchedRatio.mb.push(pr.maxRssMb / x.maxRssMb);
        }
    }
    return { ...m, resources, criticalPath: depth };
}

/** The agent count at which a straight line through (a, ya) and (b, yb) reaches `limit`. */
const reach = (a: number, ya: number, b: number, yb: number, limit: number) => Math.floor(a + ((limit - ya) * (b - a)) / (yb - ya));

function main(): void {
    if (process.argv.includes("--engine")) {
        // The real engine's part: bench/engine.ts (its own run: about 25 minutes).
        fs.rmSync(TMP, { recursive: true, force: true });
        void engineBench({ quick: QUICK, write: process.argv.includes("--write") }).catch((e: unknown) => {
            console.error(e);
            process.exit(1);
        });
        return;
    }
    const lines: string[] = [];
    const say = (line = "") => {
        lines.push(line);
        console.log(line);
    };

    say("## 1. Evaluation cost at scale (ha layout: 3 masters, N agents)");
    say();
    say(
        `Program and baseline evaluated in interleaved pairs (${SIZES.map((n) => `${PAIRS[n]} at ${n}`).join(", ")}); each figure is the median (min–max), each ratio taken within a pair.`,
    );
    say();
    say("| runtime | agents | resources | program s | baseline s | ratio s | program peak MiB | baseline peak MiB | ratio MiB | critical path |");
    say("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    const measured: Measured[] = [];
    for (const runtime of RUNTIMES) {
        for (const n of SIZES) {
            const m = measure(n, runtime, PAIRS[n]);
            measured.push(m);
            say(
                `| ${runtime} | ${n} | ${m.resources} | ${spread(m.program.seconds)} | ${spread(m.baseline.seconds)} | ${spread(m.ratio.seconds)} | ${spread(m.program.mb, 0)} | ${spread(m.baseline.mb, 0)} | ${spread(m.ratio.mb)} | ${m.criticalPath} |`,
            );
        }
    }
    say();
    for (const m of measured.filter((x) => x.agents === TARGET.agents)) {
        say(
            `- ${m.runtime}, ${TARGET.agents} agents: time ratio ≤ ${TARGET.time}: ${verdict(m.ratio.seconds, TARGET.time)} (${spread(m.ratio.seconds)}); peak memory ratio ≤ ${TARGET.memory}: ${verdict(m.ratio.mb, TARGET.memory)} (${spread(m.ratio.mb)}).`,
        );
    }
    say();
    say(
        `The SDK's own cost grows with the number of input properties a resource has (it makes an Output, with its promises, for each), and the trivial baseline's resources have one. Against a baseline of as many resources with as many inputs as the program's (at ${TARGET.agents} agents):`,
    );
    say();
    say("| runtime | inputs | matched baseline s | program / matched s | matched baseline peak MiB | program / matched MiB |");
    say("|---|---:|---:|---:|---:|---:|");
    for (const m of measured.filter((x) => x.agents === TARGET.agents)) {
        say(`| ${m.runtime} | ${m.matched.inputs} | ${spread(m.matched.seconds)} | ${spread(m.matchedRatio.seconds)} | ${spread(m.matched.mb, 0)} | ${spread(m.matchedRatio.mb)} |`);
    }
    say();

    say("## 2. A cluster that previews within 4 GiB and within 60 s (a lower bound on the largest)");
    say();
    say("| runtime | predicted for 4 GiB | predicted for 60 s | evaluated | s | peak MiB | within both |");
    say("|---|---:|---:|---:|---:|---:|---|");
    for (const runtime of RUNTIMES) {
        // A straight line through the two largest sizes measured.
        const [a, b] = SIZES.slice(-2);
        const [small, large] = [measured.find((m) => m.runtime === runtime && m.agents === a)!, measured.find((m) => m.runtime === runtime && m.agents === b)!];
        const byMemory = reach(small.agents, median(small.program.mb), large.agents, median(large.program.mb), LIMITS.memoryMb);
        const byTime = reach(small.agents, median(small.program.seconds), large.agents, median(large.program.seconds), LIMITS.seconds);
        // The prediction, checked: evaluated at the nearest 500 below it, then 500 fewer while over.
        // (A run that dies of it, out of memory, counts as over.)
        const attempt = (agents: number): Run | undefined => {
            try {
                return evaluateIn("program", configFile(haConfigValues(agents, 3, runtime)), 5 * 60_000);
            } catch {
                return undefined;
            }
        };
        const over = (r: Run | undefined) => r === undefined || r.maxRssMb > LIMITS.memoryMb || r.seconds > LIMITS.seconds;
        let n = Math.max(500, Math.floor(Math.min(byMemory, byTime) / 500) * 500);
        let run = attempt(n);
        while (n > 500 && over(run)) {
            n -= 500;
            run = attempt(n);
        }
        say(`| ${runtime} | ${byMemory} | ${byTime} | ${n} | ${run ? fmt(run.seconds) : "failed"} | ${run ? fmt(run.maxRssMb, 0) : "–"} | ${over(run) ? "no" : "yes"} |`);
    }
    say();

    say("## 3. Deploy parallelism");
    say();
    for (const runtime of RUNTIMES) {
        const paths = measured.filter((m) => m.runtime === runtime).map((m) => m.criticalPath);
        say(
            `- ${runtime}: critical path (resources created one after another) for ${SIZES.join(", ")} agents: ${paths.join(", ")}. Target, independent of the number of agents: ${new Set(paths).size === 1 ? "met" : "missed"}.`,
        );
    }
    say();

    say("## 4. A preview that changes one agent, against one that changes nothing (docker, 1,000 agents)");
    say();
    const same = haConfigValues(1000);
    const moved = haConfigValues(1000, 3, "docker", (a) => a.map((x) => (x.startsWith("a42=") ? "a42=10.9.9.9" : x)));
    const nothing: number[] = [];
    const one: number[] = [];
    for (let i = 0; i < (QUICK ? 1 : 5); i++) {
        nothing.push(program(same).seconds);
        one.push(program(moved).seconds);
    }
    say(
        `Evaluation: ${spread(nothing)} s changing nothing, ${spread(one)} s moving one agent (ratio of medians ${fmt(median(one) / median(nothing))}). Equal by construction: the program registers every resource either way. What a change adds is the engine's work outside the program (diffing each resource's inputs against the state, and the provider's plan for the changed agent), which needs the CLI and is not measured here.`,
    );
    say();

    say("## 5. No-op");
    say();
    const first = program(haConfigValues(100));
    const second = program(haConfigValues(100));
    const noop = diff(first.resources, second.resources);
    const differences = noop.changed.length + noop.added.length + noop.removed.length;
    say(
        `The ha layout with 100 agents evaluated twice, in two processes: ${first.resources.length} resources, ${differences} differ in their inputs. Target 0: ${differences === 0 ? "met" : "missed"}.`,
    );
    say();

    say("## 6. Blast radius (ha layout, docker, 100 agents)");
    say();
    say("| change | inputs changed | added | removed | serial chain | which |");
    say("|---|---:|---:|---:|---:|---|");
    const base = first.resources;
    const show = (label: string, after: Node[]) => {
        const d = diff(base, after);
        const which = [...d.changed, ...d.added, ...d.removed].map(nameOf);
        const listed = which.length > 8 ? `${which.slice(0, 8).join(", ")}, … (${which.length})` : which.join(", ");
        const chain = serialChain(after, new Set([...d.changed, ...d.added]));
        say(`| ${label} | ${d.changed.length} | ${d.added.length} | ${d.removed.length} | ${chain} | ${listed} |`);
        return { ...d, chain };
    };
    const oneAgent = show("agent a42 moves to another address", program(haConfigValues(100, 3, "docker", (a) => a.map((x) => (x.startsWith("a42=") ? "a42=10.9.9.9" : x)))).resources);
    const touchedOthers = [...oneAgent.changed, ...oneAgent.added, ...oneAgent.removed].filter((u) => !/-a42(-|$)/.test(nameOf(u)));
    show("an agent is added (a101)", program(haConfigValues(100, 3, "docker", (a) => [...a, "a101=10.9.9.10"])).resources);
    show("two masters are added (3 → 5)", program(haConfigValues(100, 5)).resources);
    // A setting only the masters' hosts read (the masters' own port is read by the agents too: their
    // readiness asks the masters; test/bench.test.ts holds both).
    const masters = show("one setting of every master changes (marathonHeapMb)", program({ ...haConfigValues(100), "mesos-cluster:marathonHeapMb": "1536" }).resources);
    const mastersAt1000 = (() => {
        const before = program(haConfigValues(1000)).resources;
        const after = program({ ...haConfigValues(1000), "mesos-cluster:marathonHeapMb": "1536" }).resources;
        const d = diff(before, after);
        return { changed: d.changed.length, chain: serialChain(after, new Set(d.changed)) };
    })();
    say();
    say(
        `"Serial chain": how many of the changed resources change one after another (each waits for the one before to be ready again). One setting of every master: ${masters.changed.length} resources, a chain of ${masters.chain} at 100 agents; ${mastersAt1000.changed} and ${mastersAt1000.chain} at 1,000 agents. Target, independent of the number of agents: ${masters.changed.length === mastersAt1000.changed && masters.chain === mastersAt1000.chain ? "met" : "missed"}.`,
    );
    say();
    say(`Target, one agent's change touches that agent's resources only: ${touchedOthers.length === 0 ? "met" : `missed (${touchedOthers.map(nameOf).join(", ")})`}.`);

    fs.rmSync(TMP, { recursive: true, force: true });
    if (process.argv.includes("--write")) {
        writeReport(lines, "bench");
    }
}

main();
