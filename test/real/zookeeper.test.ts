import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseConfig } from "../../components/config";
import { renderZooCfg, zookeeper } from "../../components/services/zookeeper";
import { buildTopology } from "../../components/topology";
import { Evaluation, ROOT, evaluate, secretKeys, stackConfig } from "../harness";
import { docker, engineAvailable, runArgs, tryDocker, waitFor } from "./docker";

// The project's ZooKeeper image, built for real, run with exactly the container inputs the
// program emits, as one standalone member and as a three-member ensemble on loopback hosts.
const suite = engineAvailable() ? describe : describe.skip;

/** `srvr`'s Mode line from a member's client address, or undefined while it has none. */
function mode(address: string): string | undefined {
    try {
        const out = execFileSync("nc", ["-w", "2", address, "2181"], { input: "srvr\n", encoding: "utf8", timeout: 5_000 });
        return /^Mode: (\w+)$/m.exec(out)?.[1];
    } catch {
        return undefined;
    }
}

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

    test("one member (the dev layout) serves standalone and reports healthy", async () => {
        const e = await program(["solo=127.0.0.21"]);
        const name = start(e, "solo");
        expect(await waitFor("a standalone member", 60_000, () => mode("127.0.0.21"), () => tryDocker(["logs", "--tail", "5", name]).output)).toBe("standalone");
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
            const m = Object.values(modes());
            return m.filter((x) => x === "leader").length === 1 && m.filter((x) => x === "follower").length === 2 ? m : undefined;
        };
        let e: Evaluation;

        beforeAll(async () => {
            // Listed out of order: ids must follow the sorted names.
            e = await program(["z3=127.0.0.33", "z1=127.0.0.31", "z2=127.0.0.32"]);
        });

        test("elect one leader and two followers", async () => {
            const t0 = Date.now();
            for (const h of Object.keys(hosts)) {
                start(e, h);
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
                const inContainer = docker(["exec", `zookeeper-${m.host.name}`, "cat", "/etc/zookeeper/cluster/zoo.cfg"]);
                expect(inContainer).toBe(renderZooCfg(zookeeper.spec(t, m.host)));
            }
        });

        test("a write on one member is read on another", () => {
            zkCli("zookeeper-z1", hosts.z1, "create /mesos-cluster-probe written-on-z1");
            expect(zkCli("zookeeper-z3", hosts.z3, "get /mesos-cluster-probe")).toContain("written-on-z1");
        }, 120_000);

        test("the ensemble elects a new leader when the leader dies, and the old one rejoins", async () => {
            const before = modes();
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
