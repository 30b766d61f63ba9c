import { Registered } from "./harness";
import { StepResult, deploy } from "./e2e/steps";

// The end-to-end test's scheduler: Pulumi's order from a program's registrations.

const node = (name: string, deps: string[] = [], inputs: Record<string, unknown> = {}): Registered => ({
    type: "t",
    name,
    urn: `urn:${name}`,
    parent: "",
    custom: true,
    provider: "",
    inputs,
    deleteBeforeReplace: false,
    dependencies: deps.map((d) => `urn:${d}`),
    additionalSecretOutputs: [],
    outputs: {},
});

/** A step that takes `ms` and records when it ran. */
function recorder(fail: string[] = []) {
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const run = (name: string, what: string, ms = 20): Promise<StepResult> => {
        log.push(`start ${what} ${name}`);
        running += 1;
        most = Math.max(most, running);
        return new Promise((resolve) =>
            setTimeout(() => {
                running -= 1;
                log.push(`end ${what} ${name}`);
                resolve({ ok: !fail.includes(name) });
            }, ms),
        );
    };
    return { log, most: () => most, run };
}

test("a step starts once its dependencies' steps are done; independent steps go at once", async () => {
    const r = recorder();
    const after = [node("a"), node("b"), node("c", ["a", "b"]), node("d", ["c"])];
    const runs = await deploy({ before: [], after, run: (x, kind) => r.run(x.name, kind), remove: () => undefined });
    expect(runs.map((x) => x.kind)).toEqual(["create", "create", "create", "create"]);
    expect(r.most()).toBe(2);
    expect(r.log.indexOf("start create c")).toBeGreaterThan(Math.max(r.log.indexOf("end create a"), r.log.indexOf("end create b")));
    expect(r.log.indexOf("start create d")).toBeGreaterThan(r.log.indexOf("end create c"));
});

test("unchanged resources have no step but still wait for their dependencies; changed ones update", async () => {
    const r = recorder();
    const before = [node("a", [], { v: 1 }), node("b", ["a"], { v: 1 }), node("c", ["b"], { v: 1 })];
    const after = [node("a", [], { v: 2 }), node("b", ["a"], { v: 1 }), node("c", ["b"], { v: 2 })];
    const runs = await deploy({ before, after, run: (x, kind) => r.run(x.name, kind), remove: () => undefined });
    expect(runs.map((x) => `${x.kind} ${x.name}`)).toEqual(["update a", "update c"]);
    expect(r.log).toEqual(["start update a", "end update a", "start update c", "end update c"]);
});

test("after a failure nothing new starts; what was under way finishes; nothing is deleted", async () => {
    const r = recorder(["a"]);
    const before = [node("old")];
    const after = [node("a"), node("slow"), node("b", ["a"]), node("c", ["slow"])];
    const runs = await deploy({
        before,
        after,
        run: (x, kind) => r.run(x.name, kind, x.name === "slow" ? 60 : 10),
        remove: (x) => r.run(x.name, "delete"),
    });
    expect(runs.map((x) => `${x.name} ${x.result.ok}`).sort()).toEqual(["a false", "slow true"]);
    expect(r.log).not.toContain("start delete old");
});

test("a tolerated failure lets its dependents go on", async () => {
    const r = recorder(["a"]);
    const runs = await deploy({ before: [], after: [node("a"), node("b", ["a"])], run: (x, k) => r.run(x.name, k), remove: () => undefined, tolerate: () => true });
    expect(runs.map((x) => x.name)).toEqual(["a", "b"]);
});

test("resources no longer registered are deleted after every other step, dependents first", async () => {
    const r = recorder();
    const before = [node("keep", [], { v: 1 }), node("x"), node("y", ["x"]), node("z", ["y"])];
    const after = [node("keep", [], { v: 2 })];
    await deploy({ before, after, run: (x, kind) => r.run(x.name, kind), remove: (x) => r.run(x.name, "delete") });
    expect(r.log).toEqual(["start update keep", "end update keep", "start delete z", "end delete z", "start delete y", "end delete y", "start delete x", "end delete x"]);
});
