import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseConfig } from "../../components/config";
import { renderZooCfg, zookeeper } from "../../components/services/zookeeper";
import { buildTopology } from "../../components/composition";
import { Evaluation, ROOT, evaluate, secretKeys, stackConfig } from "../harness";
import { WriteRecord, kazooAvailable, longestGapWithin, startWriter } from "../tools/zkWriter";
import { docker, engineAvailable, runArgs, tryDocker, waitFor } from "./docker";

// The project's ZooKeeper image, built for real, run with exactly the container inputs the
// program emits, as one standalone member and as a three-member ensemble on loopback hosts.
const suite = engineAvailable() ? describe : describe.skip;

/** A four-letter word's answer from a member's client address, "" when it does not answer. */
function tryNc(address: string, word: string): string {
    try {
        return execFileSync("nc", ["-w", "2", address, "2181"], { input: `${word}\n`, encoding: "utf8", timeout: 5_000 });
    } catch {
        return "";
    }
}

/** `srvr`'s Mode line from a member's client address, or undefined while it has none. */
const mode = (address: string) => /^Mode: (\w+)$/m.exec(tryNc(address, "srvr"))?.[1];

/** Whether the member's own readiness check (the one both runtimes run) passes. */
const healthy = (container: string) => tryDocker(["exec", container, "zookeeper-entrypoint", "health"], 30_000).status === 0;

function zkCli(container: string, address: string, command: string): string {
    return docker(["exec", container, "/usr/share/zookeeper/bin/zkCli.sh", "-server", `${address}:2181`, ...command.split(" ")], 60_000);
}

suite("the ZooKeeper image, built and run for real", () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "zk-real-"));
    const started: string[] = [];
    let image = "";
    const figures: Record<string, string> = {};

    const configFor = (masters: string[]) => ({
        ...stackConfig("ha"),
        "mesos-cluster:masters": JSON.stringify(masters),
        "mesos-cluster:agents": JSON.stringify([masters[0].split("=")[0]]),
        // Only ZooKeeper runs here: no routing, no registry.
        "mesos-cluster:bambooHosts": "[]",
        "mesos-cluster:registryHost": "",
    });

    async function program(masters: string[]): Promise<Evaluation> {
        // engine: ssh only because the topology refuses one local engine for several hosts;
        // the containers are started here with the docker CLI from the registered inputs.
        return evaluate(configFor(masters));
    }

    function start(e: Evaluation, host: string): string {
        const c = e.byName(`mesos-zookeeper-${host}-container`);
        docker(runArgs(c, image, path.join(work, host)));
        started.push(c.inputs.name);
        return c.inputs.name;
    }

    beforeAll(() => {
        image = `mesos-cluster/zookeeper:${zookeeper.version}`;
        const t0 = Date.now();
        docker(["build", "--network", "host", "-q", "-t", image, path.join(ROOT, "images", "zookeeper")], 600_000);
        figures["image build (s)"] = ((Date.now() - t0) / 1000).toFixed(1);
    }, 620_000);

    afterAll(() => {
        for (const name of started) {
            tryDocker(["rm", "-f", name]);
        }
        fs.rmSync(work, { recursive: true, force: true });
        console.log(`ZooKeeper image figures: ${JSON.stringify(figures)}`);
    });

    test("one member (the dev layout) leads a quorum of one and reports healthy", async () => {
        const e = await program(["solo=127.0.0.21"]);
        const name = start(e, "solo");
        // Not standalone: a quorum of one can grow by reconfiguration.
        expect(await waitFor("a serving member", 60_000, () => mode("127.0.0.21"), () => tryDocker(["logs", "--tail", "5", name]).output)).toBe("leader");
        await waitFor("Docker to report the member healthy", 90_000, () =>
            docker(["inspect", "--format", "{{.State.Health.Status}}", name]).trim() === "healthy" ? true : undefined,
        );
        expect(fs.readFileSync(path.join(work, "solo", e.byName("mesos-zookeeper-solo-container").inputs.volumes[0].hostPath, "myid"), "utf8").trim()).toBe("1");
        tryDocker(["rm", "-f", name]);
    }, 120_000);

    describe("three members on 127.0.0.31-33", () => {
        const hosts = { z1: "127.0.0.31", z2: "127.0.0.32", z3: "127.0.0.33" };
        const modes = () => Object.fromEntries(Object.entries(hosts).map(([h, a]) => [h, mode(a)]));
        const quorate = () => {
            const m = modes();
            const v = Object.values(m);
            return v.filter((x) => x === "leader").length === 1 && v.filter((x) => x === "follower").length === 2 ? m : undefined;
        };
        let e: Evaluation;

        beforeAll(async () => {
            // Listed out of order: ids must follow the sorted names.
            e = await program(["z3=127.0.0.33", "z1=127.0.0.31", "z2=127.0.0.32"]);
        });

        test("started one at a time, each once the one before reports ready (the program's order), they form the ensemble", async () => {
            // The trap of a rolling order on first creation: a first member cannot be in a
            // quorum alone. While no member serves, a member that is up counts as ready.
            const t0 = Date.now();
            for (const h of Object.keys(hosts)) {
                const name = start(e, h);
                await waitFor(`${name} ready`, 90_000, () => (healthy(name) ? true : undefined), () => `${JSON.stringify(modes())} ${tryDocker(["logs", "--tail", "5", name]).output}`);
                figures[`start to ${h} ready (s)`] = ((Date.now() - t0) / 1000).toFixed(1);
            }
            await waitFor("one leader and two followers", 90_000, quorate, () => JSON.stringify(modes()));
            figures["start to quorum (s)"] = ((Date.now() - t0) / 1000).toFixed(1);
            for (const [i, h] of Object.keys(hosts).entries()) {
                expect(fs.readFileSync(path.join(work, h, e.byName(`mesos-zookeeper-${h}-container`).inputs.volumes[0].hostPath, "myid"), "utf8").trim()).toBe(String(i + 1));
            }
        }, 120_000);

        test("each member's zoo.cfg is exactly what render shows for review", () => {
            const t = buildTopology(parseConfig(configFor(["z3=127.0.0.33", "z1=127.0.0.31", "z2=127.0.0.32"]), { secretKeys: new Set(secretKeys()) }));
            for (const m of t.ensemble) {
                const rendered = renderZooCfg(zookeeper.spec(t, m.host));
                // ZooKeeper rewrites zoo.cfg (in its own order), pointing it at the versioned file it
                // keeps the membership in.
                const inContainer = docker(["exec", `zookeeper-${m.host.name}`, "cat", "/var/lib/zookeeper/conf/zoo.cfg"]);
                const settings = (cfg: string) => cfg.split("\n").filter((l) => l !== "" && !l.startsWith("#") && !l.startsWith("dynamicConfigFile=")).sort();
                expect(settings(inContainer)).toEqual(settings(rendered.static));
                expect(inContainer).toMatch(/^dynamicConfigFile=\/var\/lib\/zookeeper\/conf\/zoo\.cfg\.dynamic\.[0-9a-f]+$/m);
                expect(docker(["exec", `zookeeper-${m.host.name}`, "cat", "/var/lib/zookeeper/conf/zoo.cfg.dynamic.seed"])).toBe(rendered.seed);
            }
        });

        test("a write on one member is read on another", () => {
            zkCli("zookeeper-z1", hosts.z1, "create /mesos-cluster-probe written-on-z1");
            expect(zkCli("zookeeper-z3", hosts.z3, "get /mesos-cluster-probe")).toContain("written-on-z1");
        }, 120_000);

        test("the ensemble elects a new leader when the leader dies, and the old one rejoins", async () => {
            const before = await waitFor("one leader and two followers", 60_000, quorate, () => JSON.stringify(modes()));
            const leader = Object.keys(before).find((h) => before[h] === "leader") as string;
            const t0 = Date.now();
            docker(["kill", `zookeeper-${leader}`]);
            const others = Object.entries(hosts).filter(([h]) => h !== leader);
            await waitFor("a new leader among the other two", 60_000, () =>
                others.some(([, a]) => mode(a) === "leader") ? true : undefined,
            );
            figures["leader failover (s)"] = ((Date.now() - t0) / 1000).toFixed(1);
            const [, survivor] = others[0];
            expect(zkCli(`zookeeper-${others[1][0]}`, survivor, "get /mesos-cluster-probe")).toContain("written-on-z1");
            docker(["start", `zookeeper-${leader}`]);
            await waitFor("the old leader back as a follower", 60_000, quorate, () => JSON.stringify(modes()));
        }, 150_000);

        /** As the docker runtime replaces a member: the old container goes, the new one starts on the same data, and the roll waits until it is ready. */
        async function replace(next: Evaluation, h: string, deadlineMs = 90_000): Promise<void> {
            const name = `zookeeper-${h}`;
            tryDocker(["rm", "-f", name]);
            start(next, h);
            await waitFor(`${name} ready again`, deadlineMs, () => (healthy(name) ? true : undefined), () => `${JSON.stringify(modes())} ${tryDocker(["logs", "--tail", "8", name]).output}`);
        }

        const members = (address: string) =>
            tryNc(address, "conf")
                .split("\n")
                .filter((l) => l.startsWith("server."))
                .map((l) => l.split("=")[0]);

        const writing = kazooAvailable() ? test : test.skip;

        test("a member restarted under a formed ensemble is ready only once it is back in the quorum, the leader too", async () => {
            // The leader: the others elect a new one meanwhile, and none serves for a moment.
            const before = await waitFor("one leader and two followers", 60_000, quorate, () => JSON.stringify(modes()));
            const leader = Object.keys(before).find((h) => before[h] === "leader") as string;
            docker(["restart", "-t", "10", `zookeeper-${leader}`]);
            const t0 = Date.now();
            // Up and answering, but the ensemble was formed: not ready until it is in the quorum again.
            const seen: string[] = [];
            await waitFor(`${leader} ready`, 60_000, () => {
                const ok = healthy(`zookeeper-${leader}`);
                seen.push(`${ok ? "ready" : "not ready"}:${mode(hosts[leader as keyof typeof hosts]) ?? "-"}`);
                return ok ? true : undefined;
            });
            expect(seen.filter((x) => x.startsWith("ready:")).every((x) => x === "ready:follower" || x === "ready:leader")).toBe(true);
            figures["restart to ready (s)"] = ((Date.now() - t0) / 1000).toFixed(1);
        }, 90_000);

        writing("grown from 3 to 5 and shrunk back by reconfiguration, members replaced one at a time, while a client writes: nothing lost", async () => {
            const five = { ...hosts, z4: "127.0.0.34", z5: "127.0.0.35" };
            const grown = await program(Object.entries(five).map(([h, a]) => `${h}=${a}`));
            const writer = startWriter(Object.values(hosts).map((a) => `${a}:2181`).join(","), "/roll-probe");
            const dump = () => Object.entries(five).map(([h, a]) => `${h}: ${mode(a)} ${JSON.stringify(members(a))}`).join("; ");
            let record: WriteRecord | undefined;
            const joins = { from: 0, to: 0 };
            try {
                await new Promise((r) => setTimeout(r, 1000));
                const t0 = Date.now();
                // The program's order: the existing members (given the new list), then the new ones.
                for (const h of ["z1", "z2", "z3"]) {
                    await replace(grown, h);
                }
                joins.from = Date.now();
                for (const h of ["z4", "z5"]) {
                    await replace(grown, h);
                }
                joins.to = Date.now();
                figures["3 -> 5 (s)"] = ((Date.now() - t0) / 1000).toFixed(1);
                // A reconfiguration's commit can make the members hold an election: conf answers again after it.
                await waitFor("five members", 30_000, () => (members(hosts.z1).length === 5 ? true : undefined), dump);
                const t1 = Date.now();
                for (const h of ["z1", "z2", "z3"]) {
                    await replace(e, h);
                }
                // Pulumi deletes what the program no longer has last: the first replaced member
                // removed them from the ensemble before.
                await waitFor("exactly members 1, 2 and 3", 30_000, () => (members(hosts.z1).join() === "server.1,server.2,server.3" ? true : undefined), dump);
                for (const h of ["z4", "z5"]) {
                    tryDocker(["rm", "-f", `zookeeper-${h}`]);
                }
                figures["5 -> 3 (s)"] = ((Date.now() - t1) / 1000).toFixed(1);
                await new Promise((r) => setTimeout(r, 1000));
            } finally {
                record = await writer.stop();
            }
            figures["writes through 3 -> 5 -> 3"] = JSON.stringify({ ...record, gaps: undefined });
            figures["longest gap while z4 and z5 joined (s)"] = String(longestGapWithin(record, joins.from, joins.to));
            expect({ lost: record.lost, acked: record.acked > 100 }).toEqual({ lost: 0, acked: true });
            await waitFor("one leader and two followers", 60_000, quorate, () => JSON.stringify(modes()));
        }, 600_000);

        test("a member refuses to start with another member's data", () => {
            const c = e.byName("mesos-zookeeper-z1-container");
            const name = "zookeeper-z1-wrong-id";
            // In the foreground, without the restart policy: the exit is what is under test.
            const args = runArgs(c, image, path.join(work, "z1"))
                .filter((a) => a !== "-d" && !a.startsWith("--restart"))
                .map((a) => (a === "ZOO_MY_ID=1" ? "ZOO_MY_ID=2" : a === c.inputs.name ? name : a));
            started.push(name);
            const result = tryDocker(args, 60_000);
            expect(result.status).not.toBe(0);
            expect(result.output).toMatch(/myid holds 1 but ZOO_MY_ID is 2; refusing to start/);
        }, 90_000);
    });
});
