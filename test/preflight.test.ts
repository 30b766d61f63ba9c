import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { stackTopology } from "../components/composition";
import { HostFacts, parseDf, parseDocker, parseFacts, parseListeners } from "../components/preflight/facts";
import { AGENT_API_CEILING, AGENT_API_FLOOR, MIN_FREE_KB, compareVersions, formatFinding, judgeHost } from "../components/preflight/judge";
import { HostPlan, preflightPlan } from "../components/preflight/plan";
import { readStackConfig } from "../scripts/stackFile";
import { ROOT } from "./harness";

// npm run preflight's parsing and judging, on what scripts/preflight.sh printed on real hosts
// (test/preflight/*.out, captured on this project's machine: see each case), each check made to
// fail once.

const capture = (name: string) => fs.readFileSync(path.join(__dirname, "preflight", `${name}.out`), "utf8");
const facts = (name: string) => parseFacts(capture(name));
const topology = (stack: string) => {
    const { values, secure } = readStackConfig(ROOT, stack);
    return stackTopology(values, { requireSecrets: false, secretKeys: new Set(secure) });
};
/** The dev stack's one host (docker runtime, every service on 127.0.0.1). */
const dev = (): HostPlan => preflightPlan(topology("dev"))[0];
const checks = (plan: HostPlan, f: HostFacts) => judgeHost(plan, f).problems.map((p) => p.check);

/** A record of a capture (by name, or its text) replaced: `KEY` with `value` (the rest as captured). */
function edited(nameOrText: string, key: string, value: string): string {
    return (nameOrText.includes("\n") ? nameOrText : capture(nameOrText))
        .split("\n")
        .map((l) => (l.startsWith(`${key} `) ? `${key} ${Buffer.from(value).toString("base64")}` : l))
        .join("\n");
}
const record = (name: string, key: string) => {
    const line = capture(name)
        .split("\n")
        .find((l) => l.startsWith(`${key} `));
    return Buffer.from((line ?? " ").split(" ")[1], "base64").toString("utf8");
};

describe("the plan", () => {
    it("asks cgroup v1 and the classic image store of the agents' hosts only, from the agent's own flags", () => {
        const plans = preflightPlan(topology("prod"));
        const agents = plans.filter((p) => p.services.some((s) => s.service === "agent")).map((p) => p.host);
        expect(agents).toEqual(["a1", "a2", "a3"]);
        for (const p of plans) {
            for (const s of p.services) {
                expect(s.cgroupsIsolation !== undefined).toBe(s.service === "agent");
                expect(s.dockerContainerizer).toBe(s.service === "agent");
            }
        }
        expect(plans.find((p) => p.host === "a1")?.services.find((s) => s.service === "agent")?.cgroupsIsolation).toMatch(/^cgroups\/cpu,cgroups\/mem/);
    });

    it("gives each host its data root ({host} replaced), its runtime and its services' ports", () => {
        const e2e = preflightPlan(topology("e2e"));
        expect(e2e.map((p) => [p.host, p.address, p.dataRoot, p.runtime])).toEqual([
            ["h11", "127.0.0.11", "/var/tmp/mesos-cluster-e2e/h11", "systemd"],
            ["h12", "127.0.0.12", "/var/tmp/mesos-cluster-e2e/h12", "systemd"],
            ["h13", "127.0.0.13", "/var/tmp/mesos-cluster-e2e/h13", "systemd"],
        ]);
        const zk = e2e[0].services.find((s) => s.service === "zookeeper");
        expect(zk?.containerName).toBe("zookeeper-h11");
        expect(zk?.ports.map((p) => p.first)).toEqual([2181, 2888, 3888]);
    });

    it("states the agent's Docker API range as its image contract does", () => {
        const contract = parse(fs.readFileSync(path.join(ROOT, "images", "agent", "contract.yaml"), "utf8"));
        expect(AGENT_API_FLOOR).toBe(contract.dockerClient.negotiatesDownTo);
        expect(AGENT_API_CEILING).toBe(contract.imageInspect.lastApiWithIt);
        expect(contract.imageInspect.containerdStore).toBe("refused");
        expect(contract.cgroups.versions).toEqual([1]);
    });
});

describe("parsing", () => {
    it("reads ss's addresses in every form it prints", () => {
        const l = parseListeners(
            [
                "LISTEN 0      128                0.0.0.0:2024 0.0.0.0:*",
                'LISTEN 0      50     [::ffff:127.0.0.32]:2181       *:* users:(("java",pid=26728,fd=35))',
                'LISTEN 0      4096   127.0.0.53%lo:53 0.0.0.0:* users:(("systemd-resolve",pid=1,fd=3),("x",pid=2,fd=4))',
                "LISTEN 0      4096   [::]:22 [::]:*",
                "LISTEN 0      4096   *:80 *:*",
                "",
            ].join("\n"),
        );
        expect(l.map((x) => `${x.address} ${x.port} ${x.processes.map((p) => p.pid).join(",")}`)).toEqual(["0.0.0.0 2024 ", "::ffff:127.0.0.32 2181 26728", "127.0.0.53 53 1,2", ":: 22 ", "* 80 "]);
    });

    it("reads df, and says what it printed when it is not df's table", () => {
        expect(parseDf(record("cgroup2-small-root", "df"))).toEqual({ availableKb: 512, mountedOn: "/var/tmp/pf-cap/small" });
        expect(parseDf("df: /nowhere: No such file or directory\n")).toEqual({ error: "df: /nowhere: No such file or directory" });
    });

    it("reads the engine's version and store from this machine's Docker 20.10", () => {
        expect(facts("clean-local").docker).toEqual({ answered: true, version: "20.10.24+dfsg1", apiVersion: "1.41", minApiVersion: "1.12", driver: "vfs", containerdStore: false });
    });

    it("refuses an answer cut short", () => {
        expect(() => parseFacts(capture("clean-local").replace("END", ""))).toThrow(/ended early/);
    });

    it("compares dotted versions as numbers", () => {
        expect(compareVersions("1.9", "1.40")).toBe(-1);
        expect(compareVersions("1.44", "1.44")).toBe(0);
        expect(compareVersions("1.45", "1.44")).toBe(1);
    });
});

describe("judging", () => {
    it("passes this machine as the dev stack's host, the clock noted unknown (no systemd here)", () => {
        const v = judgeHost(dev(), facts("clean-local"));
        expect(v.problems).toEqual([]);
        expect(v.notes.map(formatFinding)).toEqual(["local  clock  unknown: neither timedatectl, systemd-timesyncd nor chronyc could tell whether the clock is synchronised"]);
    });

    // Captured in a mount namespace of its own: cgroup2 mounted on /sys/fs/cgroup, a read-only
    // 1 MiB tmpfs as the data root's filesystem, DOCKER_HOST naming a socket nobody serves.
    it("says what cgroup v2 on an agent host means, and fails an engine that does not answer, a read-only and a small data root", () => {
        const v = judgeHost(dev(), facts("cgroup2-nodocker-readonly"));
        expect(v.notes.map(formatFinding)).toContain(
            "local  cgroups  cgroup v2 (/sys/fs/cgroup is cgroup2fs): agent will run Docker tasks only, with posix isolation in place of --isolation=cgroups/cpu,cgroups/mem,filesystem/linux,docker/runtime (chosen by its entrypoint: Mesos 1.7.1's cgroups isolators and Linux launcher mount only v1 hierarchies); for tasks without a Docker image and cgroups isolation, boot the host with systemd.unified_cgroup_hierarchy=0 (systemd before 256)",
        );
        expect(v.problems.map(formatFinding)).toEqual([
            "local  docker  the Docker engine does not answer: Cannot connect to the Docker daemon at unix:///var/tmp/pf-cap/no.sock. Is the docker daemon running?; fix: start the engine, and let the deploy's user reach its socket (/var/run/docker.sock: the docker group)",
            "local  data root  /var/lib/mesos-cluster (not there yet; /var/tmp/pf-cap/ro, the folder it will be made in): 1 MiB free on /var/tmp/pf-cap/ro, below the 2 GiB the deploy needs at least; fix: free space there, or set dataRoot to a larger filesystem",
            "local  data root  /var/lib/mesos-cluster (not there yet; /var/tmp/pf-cap/ro, the folder it will be made in): not writable: mktemp: failed to create file via template ‘/var/tmp/pf-cap/ro/.mesos-cluster-preflight.XXXXXX’: Read-only file system; fix: make it writable (a read-only mount? remount it read-write), or set dataRoot",
        ]);
    });

    it("takes cgroup v2 as no problem on a host without an agent", () => {
        const noAgent: HostPlan = { ...dev(), services: dev().services.filter((s) => s.service !== "agent") };
        expect(checks(noAgent, facts("cgroup2-small-root"))).toEqual(["data root"]);
    });

    it("fails a data root with too little space though it is writable", () => {
        const f = facts("cgroup2-small-root");
        expect(f.disk).toMatchObject({ write: "ok", availableKb: 512 });
        expect(512).toBeLessThan(MIN_FREE_KB);
    });

    it("names the process that holds a service's port when its container is not running (nc on 127.0.0.1:2181)", () => {
        const v = judgeHost(dev(), facts("port-held"));
        expect(v.problems.map(formatFinding)).toEqual([
            expect.stringMatching(/^local {2}ports {2}zookeeper's port 2181 \(ZooKeeper client port \(fixed\)\): port 2181 held by nc \(pid \d+\) on 127\.0\.0\.1, and the service's container is not running; fix: stop what holds it \(no key moves this port\)$/),
        ]);
    });

    // Captured while another run's ZooKeeper containers (zookeeper-z2 on 127.0.0.32 running,
    // zookeeper-z1 stopped) listened, each java process in its container's cgroup.
    describe("a port held by the service's own container passes (a second run)", () => {
        const zk = dev().services.find((s) => s.service === "zookeeper");
        const on = (address: string, containerName: string): HostPlan => ({ ...dev(), host: "z", address, services: [{ ...zk!, containerName }] });
        const portChecks = (p: HostPlan) => judgeHost(p, facts("live-zookeeper")).problems.filter((x) => x.check === "ports").map((x) => x.what);

        it("its java in zookeeper-z2's cgroup, zookeeper-z2 running: ours", () => {
            expect(portChecks(on("127.0.0.32", "zookeeper-z2"))).toEqual([]);
        });
        it("another container's java on the service's address while its own container runs: foreign", () => {
            expect(portChecks(on("127.0.0.33", "zookeeper-z2"))).toEqual([
                expect.stringMatching(/^zookeeper's port 2181 .*: port 2181 held by java \(pid 27771\) on ::ffff:127\.0\.0\.33, outside the service's running container$/),
                expect.stringMatching(/^zookeeper's port 3888 .*outside the service's running container$/),
            ]);
        });
        it("its container stopped: whatever holds the port is foreign", () => {
            expect(portChecks(on("127.0.0.32", "zookeeper-z1"))).toHaveLength(3);
        });
        it("nothing on the address: free", () => {
            expect(portChecks(on("127.0.0.31", "zookeeper-z1"))).toEqual([]);
        });
    });

    // The agent's task range moved onto the captured listeners: z3's java on 127.0.0.33, in a
    // container other than the one the plan names, stands for a task.
    it("takes a listener in the agent's task ports as one of its tasks while the agent runs", () => {
        const tasks = (containerName: string): HostPlan => ({
            ...dev(),
            address: "127.0.0.33",
            services: dev()
                .services.filter((s) => s.service === "agent")
                .map((s) => ({ ...s, containerName, ports: s.ports.filter((p) => p.key === "mesos-cluster:agentTaskPorts").map((p) => ({ ...p, first: 2181, last: 3888 })) })),
        });
        const f = facts("live-zookeeper");
        expect(judgeHost(tasks("zookeeper-z2"), f).problems.filter((x) => x.check === "ports")).toEqual([]);
        expect(judgeHost(tasks("zookeeper-z1"), f).problems.filter((x) => x.check === "ports").map((x) => x.what)).toEqual([expect.stringMatching(/ports 2181, 3888 held by java \(pid 27771\).*the service's container is not running$/)]);
    });

    // The classic store as this machine's engine reports it, DriverStatus replaced by what Docker
    // 29 reports with the containerd image store (Driver "overlayfs", DriverStatus
    // [["driver-type","io.containerd.snapshotter.v1"]], as quoted from `docker info` in public
    // reports of Docker Desktop and Engine 29.7.2); and its version's API fields replaced by an
    // engine below the agent's floor (18.09, API 1.39) and by one that refuses 1.44.
    it("fails the containerd image store and an API range the agent cannot speak, on an agent host only", () => {
        const info = JSON.parse(record("clean-local", "docker-info"));
        const containerd = edited("clean-local", "docker-info", JSON.stringify({ ...info, Driver: "overlayfs", DriverStatus: [["driver-type", "io.containerd.snapshotter.v1"]] }));
        expect(judgeHost(dev(), parseFacts(containerd)).problems.map((p) => p.what)).toEqual([expect.stringMatching(/containerd image store, whose image inspect lacks the ContainerConfig agent's Docker containerizer reads/)]);
        const noAgent: HostPlan = { ...dev(), services: dev().services.filter((s) => s.service !== "agent") };
        expect(judgeHost(noAgent, parseFacts(containerd)).problems).toEqual([]);

        const version = record("clean-local", "docker-version").split("\n");
        const withServer = (server: object) => {
            const v = JSON.parse(version[1]);
            return parseFacts(edited("clean-local", "docker-version", `0\n${JSON.stringify({ ...v, Server: { ...v.Server, ...server } })}`));
        };
        expect(judgeHost(dev(), withServer({ Version: "18.09.9", ApiVersion: "1.39" })).problems.map((p) => p.what)).toEqual(["Docker 18.09.9 speaks API 1.39, below 1.40, the oldest agent's Docker containerizer can speak"]);
        expect(judgeHost(dev(), withServer({ Version: "99.0.0", ApiVersion: "1.60", MinAPIVersion: "1.45" })).problems.map((p) => p.what)).toEqual([expect.stringMatching(/^Docker 99\.0\.0 accepts API 1\.45 and above only/)]);
    });

    it("fails a clock that no source calls synchronised, and notes one nobody can tell", () => {
        const unsynced = parseFacts(edited("clean-local", "clock-timedatectl", "no"));
        expect(judgeHost(dev(), unsynced).problems.map(formatFinding)).toEqual([
            "local  clock  not synchronised (timedatectl NTPSynchronized=no); fix: synchronise it: timedatectl set-ntp true (systemd-timesyncd), or chrony",
        ]);
        const chrony = parseFacts(edited(edited("clean-local", "clock-timedatectl", "no"), "clock-chronyc", "Normal"));
        expect(judgeHost(dev(), chrony).problems).toEqual([]);
    });

    it("on the systemd runtime, fails a host without docker.service or the units' tools", () => {
        const systemd: HostPlan = { ...dev(), runtime: "systemd" };
        expect(judgeHost(systemd, facts("clean-local")).problems).toEqual([]);
        const bare = parseFacts(edited(edited("clean-local", "systemd", ""), "tools-missing", "systemctl cmp"));
        expect(judgeHost(systemd, bare).problems.map((p) => p.what)).toEqual([
            "no docker.service unit: every unit the program writes requires it (Requires=docker.service)",
            "missing systemctl, cmp, which the units' commands run",
        ]);
        // The docker runtime runs no unit.
        expect(judgeHost(dev(), bare).problems).toEqual([]);
    });

    it("notes rather than fails a data root the docker runtime's SSH user cannot write (the engine writes it as root)", () => {
        const user = parseFacts(edited(edited("clean-local", "uid", "1000"), "write", "mktemp: failed to create file via template ‘/var/tmp/x’: Permission denied"));
        const v = judgeHost(dev(), user);
        expect(v.problems).toEqual([]);
        expect(v.notes.map((n) => n.check)).toEqual(["data root", "clock"]);
        expect(judgeHost({ ...dev(), runtime: "systemd" }, user).problems.map((p) => p.check)).toEqual(["data root"]);
    });

    it("notes that ports could not be told without ss", () => {
        const noSs = parseFacts(capture("clean-local").replace(/^listen .*$/m, "listen-missing"));
        expect(noSs.listeners).toBeUndefined();
        expect(judgeHost(dev(), noSs).notes.map((n) => n.check)).toContain("ports");
    });
});

describe("the docker engine record", () => {
    it("reads an engine that does not answer from the client's words", () => {
        expect(parseDocker("127\ndocker: command not found", "")).toEqual({ answered: false, error: "docker: command not found" });
    });
});
