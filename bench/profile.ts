/**
 * npm run bench:profile -- [agents] [docker|systemd]
 *
 * Where one evaluation's time and memory go: the ha layout with N agents (1,000 by default)
 * evaluated once under mocks, as the benchmark does, with V8's CPU profiler and its sampling
 * heap profiler (counting every allocation, also those collected since: a preview's peak
 * memory is mostly garbage waiting for a collection). Prints the share of each package and the
 * functions that cost most, by self time and by bytes allocated.
 */
import * as inspector from "inspector";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { installMocks } from "../test/mocks";
import { haConfigValues } from "./layout";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs: () => Promise<void> };

interface CallFrame {
    functionName: string;
    url: string;
    lineNumber: number;
}

/** `@pulumi/pulumi`, `project`, or what V8 calls the frame ("(garbage collector)"). */
function packageOf(frame: CallFrame): string {
    const m = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(frame.url);
    if (m !== null) {
        return m[1];
    }
    if (frame.url.includes(path.resolve(__dirname, ".."))) {
        return "this project";
    }
    return frame.url.startsWith("node:") ? "node" : frame.functionName || "(anonymous)";
}

const where = (frame: CallFrame) => `${frame.functionName || "(anonymous)"} ${frame.url.replace(/.*node_modules\//, "").replace(/^file:\/\//, "")}:${frame.lineNumber + 1}`;

function table(title: string, totals: Map<string, number>, all: number, unit: (n: number) => string, rows: number): void {
    console.log(`\n${title}`);
    for (const [key, value] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, rows)) {
        console.log(`${unit(value).padStart(10)} ${((100 * value) / all).toFixed(1).padStart(5)}%  ${key}`);
    }
}

const add = (m: Map<string, number>, key: string, n: number) => m.set(key, (m.get(key) ?? 0) + n);

async function main(): Promise<void> {
    const agents = Number(process.argv[2] ?? 1000);
    const runtime = process.argv[3] ?? "docker";
    const session = new inspector.Session();
    session.connect();
    // The inspector's replies are untyped JSON; the fields read below are V8's profile formats.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const post = (method: string, params?: object) => new Promise<any>((resolve, reject) => session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))));

    await installMocks("mesos-cluster", "bench");
    const config = haConfigValues(agents, 3, runtime);
    pulumi.runtime.setAllConfig(config, ["mesos-cluster:sshPrivateKey"].filter((k) => k in config));
    await post("Profiler.enable");
    await post("Profiler.start");
    await post("HeapProfiler.enable");
    await post("HeapProfiler.startSampling", { samplingInterval: 32768, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the program runs on being loaded, after the mocks
    require("../index");
    await waitForRPCs();
    const { profile: heap } = await post("HeapProfiler.stopSampling");
    const { profile: cpu } = await post("Profiler.stop");
    session.disconnect();

    // CPU: self time per sample's leaf frame.
    const byId = new Map<number, { callFrame: CallFrame }>(cpu.nodes.map((n: { id: number; callFrame: CallFrame }) => [n.id, n]));
    const selfTime = new Map<string, number>();
    const cpuPackages = new Map<string, number>();
    let cpuAll = 0;
    cpu.samples.forEach((id: number, i: number) => {
        const us = cpu.timeDeltas[i] ?? 0;
        const frame = byId.get(id)!.callFrame;
        cpuAll += us;
        add(selfTime, where(frame), us);
        add(cpuPackages, packageOf(frame), us);
    });
    // Allocations: bytes per allocating frame.
    const allocated = new Map<string, number>();
    const heapPackages = new Map<string, number>();
    let heapAll = 0;
    // A built-in (Promise.all, Array.join) is charged to the script frame that called it.
    type HeapNode = { callFrame: CallFrame; selfSize: number; children: HeapNode[] };
    const walk = (node: HeapNode, caller: CallFrame) => {
        const frame = node.callFrame.url === "" && caller.url !== "" ? caller : node.callFrame;
        heapAll += node.selfSize;
        add(allocated, where(frame), node.selfSize);
        add(heapPackages, packageOf(frame), node.selfSize);
        node.children.forEach((c) => walk(c, frame));
    };
    walk(heap.head, heap.head.callFrame);

    const ms = (us: number) => `${(us / 1000).toFixed(0)} ms`;
    const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
    console.log(`ha layout, ${agents} agents, ${runtime} runtime, on ${os.cpus().length} × ${os.cpus()[0]?.model ?? "CPU"}, Node ${process.version}`);
    console.log(`CPU ${ms(cpuAll)}; allocated ${mib(heapAll)} (sampled), peak RSS ${mib(process.resourceUsage().maxRSS * 1024)}`);
    table("CPU by package (self)", cpuPackages, cpuAll, ms, 10);
    table("CPU by function (self)", selfTime, cpuAll, ms, 15);
    table("Allocated by package", heapPackages, heapAll, mib, 10);
    table("Allocated by function", allocated, heapAll, mib, 15);
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
