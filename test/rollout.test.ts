import fc from "fast-check";
import { batchSizeOf } from "../components/topology";
import { Evaluation, Registered, evaluate, stackConfig } from "./harness";

// How a change rolls through a tier, read from the dependency graph the program registers:
// Pulumi registers (creates or updates) a resource only once everything it depends on is done.

const names = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${String(i + 1).padStart(2, "0")}`);

function stack(agents: number, batch?: string, runtime: "docker" | "systemd" = "docker"): Record<string, string> {
    const base = stackConfig(runtime === "docker" ? "ha" : "prod");
    return {
        ...base,
        "mesos-cluster:agents": JSON.stringify(names(agents, "a").map((n, i) => `${n}=10.1.0.${i + 1}`)),
        // Bamboo on the first agents (prod names a1-a3).
        "mesos-cluster:bambooHosts": JSON.stringify(["a01"]),
        ...(batch === undefined ? {} : { "mesos-cluster:agentBatchSize": batch }),
    };
}

/** The resource that runs a service on a host (its container or its unit). */
function runner(e: Evaluation, label: string, host: string): Registered {
    return e.resources.find((r) => r.name === `mesos-${label}-${host}-container` || r.name === `mesos-${label}-${host}-unit`) as Registered;
}

/** Which members of `label` each member waits for, by host. */
function waitsFor(e: Evaluation, label: string, hosts: readonly string[]): Record<string, string[]> {
    return Object.fromEntries(
        hosts.map((h) => {
            const deps = new Set(runner(e, label, h).dependencies);
            return [h, hosts.filter((o) => deps.has(runner(e, label, o).urn))];
        }),
    );
}

describe.each(["docker", "systemd"] as const)("on the %s runtime", (runtime) => {
    test("ZooKeeper, masters, Marathon and Chronos change one member at a time, in the ensemble's id order", async () => {
        const e = await evaluate(stack(3, undefined, runtime));
        for (const label of ["zookeeper", "master", "marathon", "chronos"]) {
            expect({ label, waits: waitsFor(e, label, ["m1", "m2", "m3"]) }).toEqual({ label, waits: { m1: [], m2: ["m1"], m3: ["m2"] } });
        }
    });

    test("agents change at most agentBatchSize at a time: each after the agent that many places before it", async () => {
        const hosts = names(7, "a");
        const e = await evaluate(stack(7, "3", runtime));
        expect(waitsFor(e, "agent", hosts)).toEqual({ a01: [], a02: [], a03: [], a04: ["a01"], a05: ["a02"], a06: ["a03"], a07: ["a04"] });
    });
});

test("a percentage is of the agents' count, rounded up: 50% of 5 agents is 3 at a time", async () => {
    const hosts = names(5, "a");
    const e = await evaluate(stack(5, "50%"));
    expect(waitsFor(e, "agent", hosts)).toEqual({ a01: [], a02: [], a03: [], a04: ["a01"], a05: ["a02"] });
});

test("any batch size is at least one and at most the agents, and a percentage p rolls in at most 100/p steps (200 runs)", () => {
    fc.assert(
        fc.property(fc.integer({ min: 1, max: 5000 }), fc.oneof(fc.integer({ min: 1, max: 999 }).map(String), fc.integer({ min: 1, max: 100 }).map((p) => `${p}%`)), (count, size) => {
            const b = batchSizeOf(size, count);
            const asked = size.endsWith("%") ? Math.ceil((count * Number(size.slice(0, -1))) / 100) : Number(size);
            expect(b).toBeGreaterThanOrEqual(1);
            expect(b).toBeLessThanOrEqual(count);
            expect(b).toBe(Math.min(count, Math.max(1, asked)));
            // At most ceil(100 / p) batches for a percentage p, whatever the count.
            if (size.endsWith("%")) {
                expect(Math.ceil(count / b)).toBeLessThanOrEqual(Math.ceil(100 / Number(size.slice(0, -1))));
            }
        }),
        { numRuns: 200 },
    );
});
