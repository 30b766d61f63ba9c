import * as fs from "fs";
import { criticalPath, diff, nameOf, serialChain } from "../bench/analysis";
import { Bench, measure, noopUps, setUp } from "../bench/engine";
import { CLI, STANDIN, built } from "./engineHarness";
import { evaluate, stackConfig } from "./harness";

// The benchmark's targets, held at small sizes on every test run (npm run bench measures them
// at 10, 100 and 1,000 agents).

const ha = (agents: number, masters = 3, change: (a: string[]) => string[] = (a) => a) => ({
    ...stackConfig("ha"),
    "mesos-cluster:masters": JSON.stringify(Array.from({ length: masters }, (_, i) => `m${i + 1}=10.0.0.${11 + i}`)),
    "mesos-cluster:agents": JSON.stringify(change(Array.from({ length: agents }, (_, i) => `a${i + 1}=10.1.0.${i + 1}`))),
});
const nodes = async (config: Record<string, string>) => (await evaluate(config, "ha")).resources;

test("the critical path does not grow with the number of agents", async () => {
    // With the default agentBatchSize (10%), agents roll in at most ten batches, whatever their number.
    const small = criticalPath(await nodes(ha(20)));
    const large = criticalPath(await nodes(ha(60)));
    expect(large).toBe(small);
    // engine → registry image → registry → pushed image → 3 ZooKeeper members one by one →
    // 3 masters one by one → 10 batches of agents (Marathon and Chronos roll beside them) →
    // 2 Bamboo hosts one by one (the tier above the agents')
    expect(small).toBe(1 + 1 + 1 + 1 + 3 + 3 + 10 + 2);
});

test("the same config evaluated twice gives identical inputs", async () => {
    const d = diff(await nodes(ha(6)), await nodes(ha(6)));
    expect(d).toEqual({ changed: [], added: [], removed: [] });
});

test("one agent's change touches that agent's resources only; adding one adds only its own", async () => {
    const base = await nodes(ha(6));
    const moved = diff(base, await nodes(ha(6, 3, (a) => a.map((x) => (x.startsWith("a4=") ? "a4=10.9.9.9" : x)))));
    expect([...moved.changed, ...moved.added, ...moved.removed].map(nameOf).sort()).toEqual(["mesos-agent-a4-container", "mesos-docker-a4"]);
    const added = diff(base, await nodes(ha(6, 3, (a) => [...a, "a7=10.1.0.7"])));
    expect(added.changed).toEqual([]);
    // An agent is its component, its engine and its container: it pulls the published image.
    expect(added.added.map(nameOf).sort()).toEqual(["mesos-agent-a7", "mesos-agent-a7-container", "mesos-docker-a7"]);
});

test("one setting of every master changes the masters only, one after another, whatever the number of agents", async () => {
    const chain = async (agents: number) => {
        const before = await nodes(ha(agents));
        const after = await nodes({ ...ha(agents), "mesos-cluster:marathonHeapMb": "1536" });
        const d = diff(before, after);
        return { changed: d.changed.map(nameOf).sort(), added: d.added.length, removed: d.removed.length, chain: serialChain(after, new Set(d.changed)) };
    };
    const small = await chain(4);
    expect(small).toEqual({ changed: ["mesos-marathon-m1-container", "mesos-marathon-m2-container", "mesos-marathon-m3-container"], added: 0, removed: 0, chain: 3 });
    expect(await chain(40)).toEqual(small);
});

test("the masters' port also changes the agents, whose readiness asks the masters: after the masters, in batches", async () => {
    const chain = async (agents: number) => {
        const before = await nodes(ha(agents));
        const after = await nodes({ ...ha(agents), "mesos-cluster:masterPort": "5055" });
        const d = diff(before, after);
        return { changed: d.changed.map(nameOf).sort(), chain: serialChain(after, new Set(d.changed)) };
    };
    for (const agents of [4, 40]) {
        const agentNames = Array.from({ length: agents }, (_, i) => `mesos-agent-a${i + 1}-container`);
        const { changed, chain: length } = await chain(agents);
        expect(changed).toEqual([...agentNames, "mesos-master-m1-container", "mesos-master-m2-container", "mesos-master-m3-container"].sort());
        // The three masters one by one, then the agents at most ten batches deep (agentBatchSize 10%).
        expect(length).toBe(3 + Math.min(agents, 10));
    }
});

// The engine benchmark's harness (bench/engine.ts: npm run bench -- --engine) at a tiny size, no
// timings: the real engine with stand-in plugins previews the program and the bare program
// (which must plan as many creations), memory is read from the process tree, a no-op up changes
// nothing. Skipped without the toolchain, unless REQUIRE_TOOLS=1.
const real = built(CLI) && built(STANDIN) ? describe : describe.skip;
real("the engine benchmark's harness", () => {
    jest.setTimeout(600_000);
    let bench: Bench;
    beforeAll(() => {
        bench = setUp();
    });
    afterAll(() => fs.rmSync(bench.work, { recursive: true, force: true }));

    test.each(["docker", "systemd"] as const)("%s, 2 agents, 1 pair: the program and the bare program preview as many resources", async (runtime) => {
        const m = await measure(bench, 2, runtime, 1);
        expect(m.resources).toBeGreaterThan(20);
        for (const xs of [m.program.seconds, m.program.mb, m.bare.seconds, m.bare.mb, m.ratio.seconds, m.ratio.mb]) {
            expect(xs).toHaveLength(1);
            expect(xs[0]).toBeGreaterThan(0);
        }
    });

    test("the e2e stack's second up changes nothing", async () => {
        const { first, noop } = await noopUps(bench, 1);
        expect(first.summary.create).toBeGreaterThan(20);
        expect(noop).toHaveLength(1);
        expect(Object.entries(noop[0].summary).filter(([op, n]) => op !== "same" && n > 0)).toEqual([]);
        // The CLI and the plugins, not the node process alone.
        expect(noop[0].processes).toBeGreaterThanOrEqual(3);
    });
});
