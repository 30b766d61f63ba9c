/**
 * The real engine runs the whole program, with a STAND-IN under each provider plugin's name
 * (toolchain/standin/main.go: it touches nothing and returns its inputs; its diff is a model of
 * the real providers'). What is real here is the engine and the program: the plan, the order of
 * the steps, replacements, the state and its secrets, what a failure stops, what a second `up`
 * does. What a real provider does on a host is not tested here (the end-to-end test runs the
 * registered commands on real hosts).
 */
import * as fs from "fs";
import * as path from "path";
import { CLI, EngineRun, Project, STANDIN, allText, built, engine, initStack, leaks, project, pulumi, run, standinHome, writeConfig } from "./engineHarness";
import { ROOT, TEST_SECRETS, stackNames } from "./harness";

const real = built(CLI) && built(STANDIN) ? describe : describe.skip;

/** The stand-in's log: each create, update and delete, when it started and ended. */
interface Call {
    readonly op: string;
    readonly urn: string;
    readonly start: number;
    readonly end: number;
}
function calls(file: string): Call[] {
    const open = new Map<string, number>();
    const done: Call[] = [];
    for (const line of fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim().split("\n") : []) {
        const [what, op, urn, at] = line.split(" ");
        if (what === "start") open.set(`${op} ${urn}`, Number(at));
        else done.push({ op, urn, start: open.get(`${op} ${urn}`) ?? NaN, end: Number(at) });
    }
    return done.sort((a, b) => a.start - b.start);
}
const changed = (r: EngineRun) => r.steps.filter((s) => s.op !== "same").map((s) => `${s.op} ${s.urn.split("::").pop()}`);

real("the real engine with stand-in plugins", () => {
    jest.setTimeout(600_000);
    let home: string;
    let log: string;
    let n = 0;
    beforeAll(() => {
        home = standinHome();
    });
    const env = () => ({ STANDIN_LOG: (log = path.join(home, `calls-${++n}.log`)) });
    const stack = (name: string, edit?: (c: Record<string, unknown>) => void): Project => {
        const p = project(name, edit, { MESOS_CLUSTER_PULUMI_HOME: home });
        initStack(p);
        return p;
    };

    test.each(stackNames())("%s: the whole program previews", (name) => {
        const r = engine(stack(name), "preview");
        expect(r.out).not.toMatch(/error:/);
        expect(r.status).toBe(0);
        expect(r.summary?.create).toBeGreaterThan(20);
    });

    describe("the e2e stack (systemd runtime, three masters), changed as an operator would", () => {
        let p: Project;
        beforeAll(() => {
            p = stack("e2e");
        });

        test("the first up creates every resource; a second changes nothing", () => {
            const first = engine(p, "up", {}, env());
            expect(first.status).toBe(0);
            const created = calls(log);
            expect(created.every((c) => c.op === "create")).toBe(true);
            expect(created.length).toBeGreaterThan(20);
            const second = engine(p, "up", { expectNoChanges: true }, env());
            expect(second.status).toBe(0);
            expect(calls(log)).toEqual([]);
        });

        test("no secret in the state, the stack file or the export: generated, SSH key, mail", () => {
            const shown = pulumi(p, ["stack", "export", "--show-secrets", "--stack", "e2e"]);
            expect(shown.status).toBe(0);
            // Every generated password, as the engine recorded it (decrypted only for this test).
            const generated = JSON.parse(shown.stdout)
                .deployment.resources.filter((r: { type: string }) => r.type === "random:index/randomPassword:RandomPassword")
                .map((r: { outputs: { result: { plaintext?: string } | string } }) => {
                    const result = r.outputs.result;
                    return typeof result === "string" ? result : JSON.parse(result.plaintext ?? '""');
                });
            expect(generated.length).toBeGreaterThanOrEqual(5);
            expect(generated.every((g: string) => g.length === 32)).toBe(true);
            const operator = pulumi(p, ["stack", "output", "operatorPassword", "--show-secrets", "--stack", "e2e"]).stdout.trim();
            expect(generated).toContain(operator);
            const exported = pulumi(p, ["stack", "export", "--stack", "e2e"]);
            expect(exported.status).toBe(0);
            const stored = `${allText(path.join(p.dir, "state"))}\n${fs.readFileSync(path.join(p.dir, "Pulumi.e2e.yaml"), "utf8")}\n${exported.stdout}`;
            const secrets = [...generated, TEST_SECRETS["mesos-cluster:sshPrivateKey"]];
            expect(leaks(stored, secrets)).toEqual([]);
            // The check can fail: the decrypted export holds them.
            expect(leaks(shown.stdout, secrets).length).toBeGreaterThan(0);
        });

        test("one setting of every master: the preview shows exactly the three members, and the up rolls them one by one in id order", () => {
            writeConfig(p, { "mesos-cluster:zookeeperHeapMb": 384 });
            const preview = engine(p, "preview");
            expect(preview.status).toBe(0);
            expect(changed(preview).sort()).toEqual(["update mesos-zookeeper-h11-unit", "update mesos-zookeeper-h12-unit", "update mesos-zookeeper-h13-unit"]);
            const up = engine(p, "up", {}, { ...env(), STANDIN_DELAY_MS: "300" });
            expect(up.status).toBe(0);
            const steps = calls(log);
            expect(steps.map((c) => `${c.op} ${c.urn.split("::").pop()}`)).toEqual([
                "update mesos-zookeeper-h11-unit",
                "update mesos-zookeeper-h12-unit",
                "update mesos-zookeeper-h13-unit",
            ]);
            // Serial: each member's step starts after the one before it ended.
            expect(steps[1].start).toBeGreaterThanOrEqual(steps[0].end);
            expect(steps[2].start).toBeGreaterThanOrEqual(steps[1].end);
        });

        test("a member that fails stops the roll there; the next up finishes it and then changes nothing", () => {
            writeConfig(p, { "mesos-cluster:zookeeperHeapMb": 320 });
            const failed = engine(p, "up", {}, { ...env(), STANDIN_FAIL: "mesos-zookeeper-h12-unit" });
            expect(failed.status).not.toBe(0);
            expect(failed.out).toContain("mesos-zookeeper-h12-unit");
            expect(calls(log).map((c) => `${c.op} ${c.urn.split("::").pop()}`)).toEqual(["update mesos-zookeeper-h11-unit", "update mesos-zookeeper-h12-unit"]);
            const mended = engine(p, "up", {}, env());
            expect(mended.status).toBe(0);
            // h11 is done; h12 is tried again (the engine kept its old inputs), then h13.
            expect(calls(log).map((c) => `${c.op} ${c.urn.split("::").pop()}`)).toEqual(["update mesos-zookeeper-h12-unit", "update mesos-zookeeper-h13-unit"]);
            expect(engine(p, "up", { expectNoChanges: true }, env()).status).toBe(0);
        });

        test("--target of one member's unit changes that member alone", () => {
            writeConfig(p, { "mesos-cluster:zookeeperHeapMb": 448 });
            const urn = "urn:pulumi:e2e::mesos-cluster::mesos:index:MesosCluster$mesos:zookeeper:ZooKeeper$command:remote:Command::mesos-zookeeper-h11-unit";
            const up = engine(p, "up", { target: [urn] }, env());
            expect(up.status).toBe(0);
            expect(calls(log).map((c) => `${c.op} ${c.urn.split("::").pop()}`)).toEqual(["update mesos-zookeeper-h11-unit"]);
            const rest = engine(p, "preview");
            expect(changed(rest).sort()).toEqual(["update mesos-zookeeper-h12-unit", "update mesos-zookeeper-h13-unit"]);
        });

        test("destroy deletes every resource, dependents before what they depend on", () => {
            const state = JSON.parse(pulumi(p, ["stack", "export", "--stack", "e2e"]).stdout).deployment.resources as { urn: string; custom?: boolean; dependencies?: string[] }[];
            const r = engine(p, "destroy", {}, env());
            expect(r.status).toBe(0);
            const deleted = calls(log);
            expect(deleted.every((c) => c.op === "delete")).toBe(true);
            const custom = state.filter((s) => s.custom && !/[:$]pulumi:providers:/.test(s.urn)).map((s) => s.urn);
            expect(custom.filter((u) => !deleted.some((c) => c.urn === u))).toEqual([]);
            const at = new Map(deleted.map((c) => [c.urn, c]));
            let edges = 0;
            for (const s of state) {
                for (const d of s.dependencies ?? []) {
                    if (at.has(s.urn) && at.has(d)) {
                        expect(at.get(s.urn)!.end).toBeLessThanOrEqual(at.get(d)!.start);
                        edges++;
                    }
                }
            }
            expect(edges).toBeGreaterThan(10);
            const left = JSON.parse(pulumi(p, ["stack", "export", "--stack", "e2e"]).stdout).deployment.resources ?? [];
            expect(left).toEqual([]);
        });
    });

    test("npm run engine -- up stops at the preflight when a host is not ready, before the engine starts; --skip-preflight goes on", () => {
        // Hosts where nothing listens (127.77.0.0/16: the harness's addresses for that), over SSH
        // with the stack's own key, which the workspace decrypts for the check.
        const p = stack("e2e", (c) => {
            c["mesos-cluster:masters"] = ["h11=127.77.0.11", "h12=127.77.0.12", "h13=127.77.0.13"];
        });
        const up = (...flags: string[]) =>
            run(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(ROOT, "scripts", "engine.ts"), "up", "--stack", "e2e", "--yes", "--dir", p.dir, ...flags], { cwd: ROOT, env: { ...p.env, ...env() } });
        const stopped = up();
        expect(stopped.status).toBe(1);
        for (const h of ["h11", "h12", "h13"]) {
            expect(stopped.out).toMatch(new RegExp(`^${h}  connection  could not be read: ssh root@127\\.77\\.0\\.${h.slice(1)}:22 ended with 255`, "m"));
        }
        expect(stopped.out).toContain("nothing was created on any host");
        expect(calls(log)).toEqual([]);
        expect(JSON.parse(pulumi(p, ["stack", "export", "--stack", "e2e"]).stdout).deployment.resources ?? []).toEqual([]);
        // The key was written for the check only.
        expect(stopped.out).not.toContain(TEST_SECRETS["mesos-cluster:sshPrivateKey"].split("\n")[1]);
        const skipped = up("--skip-preflight");
        expect(skipped.out).not.toContain("preflight:");
        expect(skipped.status).toBe(0);
    });

    test("the docker runtime (ha): a change replaces each member's container delete-first, one member after another", () => {
        const p = stack("ha");
        expect(engine(p, "up", {}, env()).status).toBe(0);
        writeConfig(p, { "mesos-cluster:zookeeperHeapMb": 384 });
        const up = engine(p, "up", {}, { ...env(), STANDIN_DELAY_MS: "200" });
        expect(up.status).toBe(0);
        const steps = calls(log);
        const members = ["m1", "m2", "m3"].map((m) => steps.filter((c) => c.urn.includes("docker:index/container:Container") && c.urn.includes(`zookeeper-${m}`)));
        for (const member of members) {
            // Delete-before-replace: the old container goes before the new one is made.
            expect(member.map((c) => c.op)).toEqual(["delete", "create"]);
            expect(member[1].start).toBeGreaterThanOrEqual(member[0].end);
        }
        // One member after another: m2's old container goes only once m1's new one exists.
        expect(members[1][0].start).toBeGreaterThanOrEqual(members[0][1].end);
        expect(members[2][0].start).toBeGreaterThanOrEqual(members[1][1].end);
        // Nothing else changed.
        expect(steps.filter((c) => !members.flat().includes(c))).toEqual([]);
    });
});
