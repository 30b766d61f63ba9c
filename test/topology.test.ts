import { ClusterConfig, ConfigError, parseConfig } from "../components/config";
import { buildTopology } from "../components/composition";
import { dataRootOf, quorumOf } from "../components/topology";

/** A validated config from a few keys, the rest defaults. */
function config(values: Record<string, unknown>): ClusterConfig {
    const raw: Record<string, string> = {};
    for (const [k, v] of Object.entries(values)) {
        raw[`mesos-cluster:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
    }
    return parseConfig(raw);
}

const masters = (n: number) => Array.from({ length: n }, (_, i) => `m${i + 1}=10.0.0.${i + 11}`);

function problems(values: Record<string, unknown>): string[] {
    try {
        buildTopology(config(values));
    } catch (e) {
        if (e instanceof ConfigError) {
            return [...e.problems];
        }
        throw e;
    }
    throw new Error("expected a ConfigError");
}

describe("quorum", () => {
    test.each([
        [1, 1],
        [3, 2],
        [5, 3],
        [7, 4],
    ])("%i masters -> quorum %i, a strict majority", (n, q) => {
        expect(quorumOf(n)).toBe(q);
        expect(q).toBeGreaterThan(n / 2);
        const t = buildTopology(config({ engine: "ssh", masters: masters(n), agents: ["a1=10.0.1.1"] }));
        expect(t.quorum).toBe(q);
        expect(t.ensemble.map((m) => m.id)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    });
});

describe("ZooKeeper and Mesos URLs", () => {
    const t = buildTopology(config({ engine: "ssh", masters: masters(3), agents: ["a1=10.0.1.1", "a2=10.0.1.2"] }));

    test("Mesos and agents get zk://hosts/mesos", () => {
        expect(t.mesosZkUrl).toBe("zk://10.0.0.11:2181,10.0.0.12:2181,10.0.0.13:2181/mesos");
    });
    test("Marathon gets the same hosts with /marathon", () => {
        expect(t.marathonZkUrl).toBe("zk://10.0.0.11:2181,10.0.0.12:2181,10.0.0.13:2181/marathon");
    });
    test("Chronos gets host:port pairs without scheme or path", () => {
        expect(t.zkHosts).toBe("10.0.0.11:2181,10.0.0.12:2181,10.0.0.13:2181");
        expect(t.zkHosts).not.toMatch(/zk:\/\/|\//);
    });
    test.each([1, 5, 7])("%i masters list every member once", (n) => {
        const big = buildTopology(config({ engine: "ssh", masters: masters(n), agents: ["a1=10.0.1.1"] }));
        expect(big.zkHosts.split(",")).toHaveLength(n);
        expect(big.mesosZkUrl).toBe(`zk://${big.zkHosts}/mesos`);
    });
});

describe("ZooKeeper ids follow the names' sorted order, not the list's", () => {
    const unsorted = ["m3=10.0.0.13", "m1=10.0.0.11", "m2=10.0.0.12"];
    const t = buildTopology(config({ engine: "ssh", masters: unsorted, agents: ["a1=10.0.1.1"] }));

    test("ids", () => {
        expect(t.ensemble.map((m) => [m.id, m.host.name])).toEqual([
            [1, "m1"],
            [2, "m2"],
            [3, "m3"],
        ]);
    });
    test("the URL does not depend on input order", () => {
        const sorted = buildTopology(config({ engine: "ssh", masters: [...unsorted].sort(), agents: ["a1=10.0.1.1"] }));
        expect(t.mesosZkUrl).toBe(sorted.mesosZkUrl);
        expect(t.ensemble).toEqual(sorted.ensemble);
    });
});

describe("placement and ports", () => {
    test("dev: one host runs all five services without a port bound twice", () => {
        const t = buildTopology(config({}));
        expect(t.placements).toHaveLength(1);
        const [p] = t.placements;
        expect(p.services).toEqual(["zookeeper", "master", "marathon", "chronos", "agent"]);
        const ports = p.ports.flatMap((b) => Array.from({ length: b.last - b.first + 1 }, (_, i) => b.first + i));
        expect(new Set(ports).size).toBe(ports.length);
        // ZooKeeper's AdminServer is off, so 8080 is Marathon's alone; Chronos is elsewhere.
        expect(p.ports.filter((b) => b.first <= 8080 && 8080 <= b.last).map((b) => b.service)).toEqual(["marathon"]);
    });

    test("an agent named by a master's name shares that host", () => {
        const t = buildTopology(config({ engine: "ssh", masters: masters(3), agents: ["m1", "a1=10.0.1.1"] }));
        expect(t.hosts.map((h) => h.name)).toEqual(["a1", "m1", "m2", "m3"]);
        expect(t.agents.map((h) => h.name)).toEqual(["a1", "m1"]);
        expect(t.placements.find((p) => p.host.name === "m1")?.services).toContain("agent");
    });

    test("ha: masters run the four master services, agents only the agent", () => {
        const t = buildTopology(config({ engine: "ssh", masters: masters(3), agents: ["a1=10.0.1.1"] }));
        expect(t.placements.find((p) => p.host.name === "a1")?.services).toEqual(["agent"]);
        expect(t.placements.find((p) => p.host.name === "m2")?.services).toEqual(["zookeeper", "master", "marathon", "chronos"]);
    });
});

test("{host} in dataRoot gives each host its own directories", () => {
    const t = buildTopology(config({ engine: "ssh", masters: masters(3), agents: ["m1"], dataRoot: "/srv/e2e/{host}" }));
    expect(t.hosts.map((h) => dataRootOf(t, h))).toEqual(["/srv/e2e/m1", "/srv/e2e/m2", "/srv/e2e/m3"]);
    expect(dataRootOf(buildTopology(config({})), t.hosts[0])).toBe("/var/lib/mesos-cluster");
});

describe("refusals name the key and the fix", () => {
    test.each<[string, Record<string, unknown>, RegExp]>([
        ["an even master count", { engine: "ssh", masters: masters(4) }, /mesos-cluster:masters: 4 masters given; the count must be odd/],
        ["a duplicate master name", { engine: "ssh", masters: ["m1=10.0.0.1", "m1=10.0.0.2", "m3=10.0.0.3"] }, /masters\[1\]: host "m1" is listed twice/],
        ["a duplicate address", { engine: "ssh", masters: ["m1=10.0.0.1", "m2=10.0.0.1", "m3=10.0.0.3"] }, /share address 10\.0\.0\.1/],
        ["more than 255 members", { engine: "ssh", masters: Array.from({ length: 257 }, (_, i) => `m${i}=10.1.${i >> 8}.${i & 255}`) }, /at most 255 masters/],
        ["Chronos on Marathon's port", { chronosPort: 8080 }, /mesos-cluster:chronosPort: chronos's port 8080 clashes with marathon's port 8080 \(mesos-cluster:marathonPort\) on host "local"; move one of them/],
        ["Marathon on ZooKeeper's client port", { marathonPort: 2181 }, /mesos-cluster:marathonPort: .*clashes with zookeeper's port 2181/],
        ["Chronos inside the agents' task ports", { chronosPort: 31500 }, /mesos-cluster:agentTaskPorts: agent's ports 31000-32000 clashes with chronos's port 31500 \(mesos-cluster:chronosPort\)/],
        ["a reversed task port range", { agentTaskPorts: "32000-31000" }, /mesos-cluster:agentTaskPorts: "32000-31000" is not a range/],
        ["a local engine for several hosts", { masters: masters(3) }, /mesos-cluster:engine: "local" runs every container on this machine's one Docker engine/],
        ["an agent with no address that is not a master", { agents: ["x1"] }, /mesos-cluster:agents\[0\]: "x1" has no address and is not a master/],
        ["an agent at a master's name but another address", { agents: ["local=127.0.0.2"] }, /"local" is a master at 127\.0\.0\.1 but listed here at 127\.0\.0\.2/],
        ["a container prefix of mesos-", { containerPrefix: "mesos-" }, /mesos-cluster:containerPrefix: "mesos-" makes container names start with "mesos-"/],
    ])("%s", (_, values, message) => {
        expect(problems(values).join("\n")).toMatch(message);
    });

    test("every problem is reported at once", () => {
        const found = problems({ engine: "ssh", masters: masters(2), chronosPort: 8080 });
        expect(found).toHaveLength(3);
        expect(found[2]).toMatch(/on hosts "m1", "m2"; move one/);
    });
});
