/**
 * npm run bench [-- --write]
 *
 * The program's cost and reach, measured in one run (each evaluation in a fresh process,
 * under Pulumi's mocks, as `pulumi preview` would evaluate it, through ts-node):
 *   1. evaluation time and peak memory for the ha layout with 10, 100 and 1,000 agents, against
 *      a baseline that registers as many trivial resources; the ratio program/baseline;
 *   2. the critical path of the resource graph for each size;
 *   3. no-op: the same config twice gives byte-identical inputs;
 *   4. blast radius: what one agent's change, an added agent, and added masters touch.
 * --write puts the figures, with the machine they ran on, into BENCHMARKS.md.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Node, criticalPath, diff, nameOf } from "./analysis";
import { readStackConfig } from "../scripts/stackFile";

const ROOT = path.resolve(__dirname, "..");
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), "bench-"));
const SIZES = [10, 100, 1000];

interface Run {
    readonly seconds: number;
    readonly maxRssMb: number;
    readonly resources: Node[];
}

let runs = 0;
function evaluateIn(mode: "program" | "baseline", arg: string): Run {
    const out = path.join(TMP, `run-${runs++}.json`);
    const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(__dirname, "evaluate.ts"), mode, arg, out], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 600_000,
        maxBuffer: 64 * 1024 * 1024,
    });
    if (r.status !== 0) {
        throw new Error(`evaluation failed (${mode} ${arg}): ${r.stderr}`);
    }
    const run = JSON.parse(fs.readFileSync(out, "utf8")) as Run;
    fs.rmSync(out);
    return run;
}

/** The ha stack's config with `agents` agents and `masters` masters. */
function haConfig(agents: number, masters = 3, change: (agents: string[]) => string[] = (a) => a): string {
    const { values } = readStackConfig(ROOT, "ha");
    const m = Array.from({ length: masters }, (_, i) => `m${i + 1}=10.0.0.${11 + i}`);
    const a = change(Array.from({ length: agents }, (_, i) => `a${i + 1}=10.1.${Math.floor(i / 250)}.${(i % 250) + 1}`));
    const file = path.join(TMP, `config-${runs++}.json`);
    fs.writeFileSync(file, JSON.stringify({ ...values, "mesos-cluster:masters": JSON.stringify(m), "mesos-cluster:agents": JSON.stringify(a) }));
    return file;
}

const program = (config: string) => evaluateIn("program", config);
const fmt = (n: number, digits = 2) => n.toFixed(digits);

function main(): void {
    const lines: string[] = [];
    const say = (line = "") => {
        lines.push(line);
        console.log(line);
    };

    say("## 1. Evaluation cost at scale (ha layout: 3 masters, N agents, docker runtime)");
    say();
    say("| agents | resources | program s | baseline s | ratio s | program peak MiB | baseline peak MiB | ratio MiB | critical path |");
    say("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    const paths: number[] = [];
    let ratioAt1000 = 0;
    for (const n of SIZES) {
        const p = program(haConfig(n));
        const b = evaluateIn("baseline", String(p.resources.length));
        const depth = criticalPath(p.resources);
        paths.push(depth);
        const ratio = p.seconds / b.seconds;
        if (n === 1000) {
            ratioAt1000 = ratio;
        }
        say(`| ${n} | ${p.resources.length} | ${fmt(p.seconds)} | ${fmt(b.seconds)} | ${fmt(ratio)} | ${fmt(p.maxRssMb, 0)} | ${fmt(b.maxRssMb, 0)} | ${fmt(p.maxRssMb / b.maxRssMb)} | ${depth} |`);
    }
    say();
    say(`Target ratio ≤ 1.5 at 1,000 agents: ${ratioAt1000 <= 1.5 ? "met" : "missed"} (${fmt(ratioAt1000)}).`);
    say();
    say("## 2. Deploy parallelism");
    say();
    say(`Critical path (resources created one after another) for ${SIZES.join(", ")} agents: ${paths.join(", ")}. Target, independent of the number of agents: ${new Set(paths).size === 1 ? "met" : "missed"}.`);
    say();

    say("## 3. No-op");
    say();
    const first = program(haConfig(100));
    const second = program(haConfig(100));
    const noop = diff(first.resources, second.resources);
    const differences = noop.changed.length + noop.added.length + noop.removed.length;
    say(`The ha layout with 100 agents evaluated twice, in two processes: ${first.resources.length} resources, ${differences} differ in their inputs. Target 0: ${differences === 0 ? "met" : "missed"}.`);
    say();

    say("## 4. Blast radius (ha layout, 100 agents)");
    say();
    say("| change | inputs changed | added | removed | which |");
    say("|---|---:|---:|---:|---|");
    const base = first.resources;
    const show = (label: string, after: Node[]) => {
        const d = diff(base, after);
        const which = [...d.changed, ...d.added, ...d.removed].map(nameOf);
        const listed = which.length > 8 ? `${which.slice(0, 8).join(", ")}, … (${which.length})` : which.join(", ");
        say(`| ${label} | ${d.changed.length} | ${d.added.length} | ${d.removed.length} | ${listed} |`);
        return d;
    };
    const oneAgent = show("agent a42 moves to another address", program(haConfig(100, 3, (a) => a.map((x) => (x.startsWith("a42=") ? "a42=10.9.9.9" : x)))).resources);
    const touchedOthers = [...oneAgent.changed, ...oneAgent.added, ...oneAgent.removed].filter((u) => !/-a42(-|$)/.test(nameOf(u)));
    show("an agent is added (a101)", program(haConfig(100, 3, (a) => [...a, "a101=10.9.9.10"])).resources);
    show("two masters are added (3 → 5)", program(haConfig(100, 5)).resources);
    say();
    say(`Target, one agent's change touches that agent's resources only: ${touchedOthers.length === 0 ? "met" : `missed (${touchedOthers.map(nameOf).join(", ")})`}.`);

    fs.rmSync(TMP, { recursive: true, force: true });
    if (process.argv.includes("--write")) {
        writeReport(lines);
    }
}

function writeReport(results: string[]): void {
    const cpu = os.cpus()[0]?.model ?? "unknown CPU";
    const file = path.join(ROOT, "BENCHMARKS.md");
    const text = fs.readFileSync(file, "utf8");
    const start = "<!-- bench:start -->";
    const end = "<!-- bench:end -->";
    const machine = `Run on ${os.cpus().length} × ${cpu}, ${fmt(os.totalmem() / 2 ** 30, 0)} GiB, ${os.type()} ${os.release()}, Node ${process.version}, on ${new Date().toISOString().slice(0, 10)}.`;
    const body = `${start}\n${machine}\n\n${results.join("\n")}\n${end}`;
    fs.writeFileSync(file, text.replace(new RegExp(`${start}[\\s\\S]*${end}`), body));
    console.log(`\nbench: figures written to ${file}`);
}

main();
