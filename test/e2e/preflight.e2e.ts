import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Finding, formatFinding } from "../../components/preflight/judge";
import { PreflightOptions, PreflightReport, formatReport, preflight } from "../../scripts/preflight";
import { ROOT } from "../harness";
import { docker, tryDocker, waitFor } from "../real/docker";

// npm run preflight against real systemd hosts over real SSH (scripts/systemd-hosts.sh): three
// hosts in the e2e stack's shape (masters p71-p73, agents p71 and p72, Bamboo on p72, the registry
// on p73) on 127.0.0.71-73, addresses no other test uses. Each check is made to fail for real on
// a host where it can be: a foreign listener on a service's port, a read-only and a small data root
// (a tmpfs mounted over it in the host's own mount namespace), cgroup v2 (cgroup2 mounted over the
// host's /sys/fs/cgroup), an engine that does not answer (its socket covered), sshd stopped. The
// ports the program's own containers hold pass (a stand-in container under the program's name).

const HOSTS = { p71: "127.0.0.71", p72: "127.0.0.72", p73: "127.0.0.73" } as const;
type HostName = keyof typeof HOSTS;
const HOST_SCRIPT = path.join(ROOT, "scripts", "systemd-hosts.sh");
const IMAGE = "local/systemd-host:bookworm";
const container = (h: HostName) => `preflight-${h}`;
const ROOTS = fs.mkdtempSync("/var/tmp/mesos-cluster-preflight-e2e-");
const dataRoot = (h: HostName) => path.join(ROOTS, h);
const work = fs.mkdtempSync(path.join(os.tmpdir(), "preflight-e2e-"));
const keyFile = path.join(work, "id_ed25519");
const knownHosts = path.join(work, "known_hosts");
const figures: Record<string, string> = {};
/** Containers this test started on the shared engine under the program's names. */
const standIns: string[] = [];

const overrides = {
    "mesos-cluster:masters": JSON.stringify(Object.entries(HOSTS).map(([h, a]) => `${h}=${a}`)),
    "mesos-cluster:agents": JSON.stringify(["p71", "p72"]),
    "mesos-cluster:bambooHosts": JSON.stringify(["p72"]),
    "mesos-cluster:registryHost": "p73",
    "mesos-cluster:dataRoot": path.join(ROOTS, "{host}"),
};
const options: PreflightOptions = { stack: "e2e", overrides, identity: keyFile, knownHosts, timeoutMs: 60_000 };

function sh(cmd: string, args: string[], timeoutMs = 120_000): string {
    return execFileSync(cmd, args, { encoding: "utf8", timeout: timeoutMs, stdio: ["ignore", "pipe", "pipe"] });
}

/** A command on a host's own machine (its container: its mount namespace, its processes). */
function onHost(h: HostName, command: string): string {
    return docker(["exec", container(h), "sh", "-c", command], 60_000);
}

/** A process left running on a host, in the background of its container. */
function startOnHost(h: HostName, command: string): void {
    docker(["exec", "-d", container(h), "sh", "-c", command], 60_000);
}

const lines = (r: PreflightReport, host?: HostName) => r.problems.filter((p) => host === undefined || p.host === host).map(formatFinding);
const checksOf = (findings: Finding[], host: HostName) => findings.filter((p) => p.host === host).map((p) => p.check);

async function run(what: string): Promise<PreflightReport> {
    const r = await preflight(options);
    figures[`${what} (s)`] = (r.ms / 1000).toFixed(2);
    console.log(`preflight, ${what}:\n${formatReport(r)}`);
    return r;
}

/** Ends every nc listening on a host (found by ss, as the check finds them). */
const stopListeners = (h: HostName) => onHost(h, `for p in $(ss -ltnpH | grep -o '"nc",pid=[0-9]*' | cut -d= -f2); do kill "$p"; done`);

describe("npm run preflight on three real systemd hosts over SSH", () => {
    beforeAll(async () => {
        if (tryDocker(["version"]).status !== 0) {
            throw new Error("no Docker engine: run the e2e test with npm run test:e2e (scripts/e2e.sh starts one)");
        }
        sh("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", keyFile]);
        sh("bash", [HOST_SCRIPT, "image"], 600_000);
        for (const h of Object.keys(HOSTS) as HostName[]) {
            sh("bash", [HOST_SCRIPT, "start", container(h), HOSTS[h], dataRoot(h), `${keyFile}.pub`], 180_000);
        }
        for (const [h, address] of Object.entries(HOSTS)) {
            await waitFor(`sshd on ${h}`, 60_000, () =>
                spawnSync("ssh", ["-i", keyFile, "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", `UserKnownHostsFile=${knownHosts}`, "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=5", `root@${address}`, "true"], { timeout: 10_000 }).status === 0
                    ? true
                    : undefined,
            );
        }
    }, 900_000);

    afterAll(() => {
        // The hosts first (nothing they run outlives them), then what this test started on the shared engine.
        spawnSync("bash", [HOST_SCRIPT, "stop", ...Object.keys(HOSTS).map((h) => container(h as HostName))], { timeout: 120_000 });
        for (const name of standIns) {
            tryDocker(["rm", "-f", name]);
        }
        fs.rmSync(ROOTS, { recursive: true, force: true });
        fs.rmSync(work, { recursive: true, force: true });
        console.log(`preflight e2e figures: ${JSON.stringify(figures)}`);
    });

    let clockProblems: string[] = [];

    test("fresh hosts: no problem but what the hosts' clocks say, which the test cannot change", async () => {
        const r = await run("fresh hosts");
        // The hosts share this machine's kernel clock: whatever it says, it says on all three alike.
        clockProblems = r.problems.filter((p) => p.check === "clock").map((p) => p.what);
        expect(r.problems.filter((p) => p.check !== "clock")).toEqual([]);
        expect(new Set(r.problems.filter((p) => p.check === "clock").map((p) => p.host)).size).toBe(clockProblems.length === 0 ? 0 : 3);
        // The data roots (made by the hosts' start, mounted there) stay empty: the write test left nothing.
        for (const h of Object.keys(HOSTS) as HostName[]) {
            expect(fs.existsSync(dataRoot(h))).toBe(true);
            expect(fs.readdirSync(dataRoot(h))).toEqual([]);
        }
    });

    const others = (r: PreflightReport) => r.problems.filter((p) => p.check !== "clock");

    test("a foreign listener on a service's port is named with its process; the program's own container holding its ports passes", async () => {
        // Foreign: nc on p71's master port and on p72's HAProxy HTTP port, inside the hosts.
        startOnHost("p71", "exec nc -lk 127.0.0.71 5050");
        startOnHost("p72", "exec nc -lk 0.0.0.0 80");
        // Ours: a container under the program's name for ZooKeeper on p73, holding its client port
        // on the host network, as a running cluster's container would on a second run.
        standIns.push("zookeeper-p73");
        docker(["run", "-d", "--name", "zookeeper-p73", "--network", "host", "--entrypoint", "nc", IMAGE, "-lk", "127.0.0.73", "2181"]);
        await waitFor("the listeners", 20_000, () => (onHost("p71", "ss -ltnH").includes("127.0.0.71:5050") && onHost("p73", "ss -ltnH").includes("127.0.0.73:2181") && onHost("p72", "ss -ltnH").includes("0.0.0.0:80") ? true : undefined));
        const r = await run("foreign listeners");
        expect(others(r).map(formatFinding)).toEqual([
            expect.stringMatching(/^p71 {2}ports {2}master's port 5050 \(mesos-cluster:masterPort\): port 5050 held by nc \(pid \d+\) on 127\.0\.0\.71, and the service's container is not running; fix: stop what holds it, or move master with mesos-cluster:masterPort$/),
            expect.stringMatching(/^p72 {2}ports {2}bamboo's port 80 \(mesos-cluster:haproxyHttpPort\): port 80 held by nc \(pid \d+\) on 0\.0\.0\.0, and the service's container is not running; fix: stop what holds it, or move bamboo with mesos-cluster:haproxyHttpPort$/),
        ]);
        // The stand-in stopped, the same port is foreign.
        docker(["stop", "-t", "1", "zookeeper-p73"]);
        startOnHost("p73", "exec nc -lk 127.0.0.73 2181");
        await waitFor("nc on p73", 20_000, () => (onHost("p73", "ss -ltnH").includes("127.0.0.73:2181") ? true : undefined));
        const stopped = await run("own container stopped");
        expect(lines(stopped, "p73").filter((l) => !l.includes("  clock  "))).toEqual([expect.stringMatching(/^p73 {2}ports {2}zookeeper's port 2181 .*held by nc \(pid \d+\) on 127\.0\.0\.73, and the service's container is not running/)]);
        for (const h of Object.keys(HOSTS) as HostName[]) {
            stopListeners(h);
        }
    });

    test("a read-only, then a small data root", async () => {
        onHost("p72", `mount -t tmpfs -o ro,size=1m tmpfs ${dataRoot("p72")}`);
        try {
            const ro = await run("read-only data root");
            expect(lines(ro, "p72").filter((l) => !l.includes("  clock  "))).toEqual([
                `p72  data root  ${dataRoot("p72")}: 1 MiB free on ${dataRoot("p72")}, below the 2 GiB the deploy needs at least; fix: free space there, or set dataRoot to a larger filesystem`,
                expect.stringMatching(new RegExp(`^p72 {2}data root {2}${dataRoot("p72")}: not writable: mktemp: .*Read-only file system; fix: `)),
            ]);
            expect(checksOf(others(ro), "p71")).toEqual([]);
            onHost("p72", `mount -o remount,rw ${dataRoot("p72")}`);
            const small = await run("small data root");
            expect(checksOf(others(small), "p72")).toEqual(["data root"]);
            expect(onHost("p72", `ls -A ${dataRoot("p72")}`).trim()).toBe("");
        } finally {
            onHost("p72", `umount ${dataRoot("p72")}`);
        }
    });

    test("cgroup v2 on an agent host is said (Docker tasks only), not failed; on a host without an agent nothing is said", async () => {
        // cgroup2 mounted over each host's /sys/fs/cgroup, in its own mount namespace: what stat sees on a v2 host.
        for (const h of ["p72", "p73"] as HostName[]) {
            onHost(h, "mount -t cgroup2 none /sys/fs/cgroup");
        }
        try {
            expect(onHost("p72", "stat -fc %T /sys/fs/cgroup").trim()).toBe("cgroup2fs");
            const r = await run("cgroup v2");
            expect(others(r)).toEqual([]);
            expect(r.notes.filter((n) => n.check === "cgroups").map(formatFinding)).toEqual([expect.stringMatching(/^p72 {2}cgroups {2}cgroup v2 \(\/sys\/fs\/cgroup is cgroup2fs\): agent will run Docker tasks only/)]);
        } finally {
            for (const h of ["p72", "p73"] as HostName[]) {
                onHost(h, "umount /sys/fs/cgroup");
            }
        }
    });

    test("an engine that does not answer, and a host that cannot be reached, are reported with the others", async () => {
        // The engine's socket covered on p71 (reversibly: a bind of /dev/null over it); sshd stopped on p73.
        onHost("p71", "mount --bind /dev/null /var/run/docker.sock");
        onHost("p73", "systemctl stop ssh");
        try {
            const r = await run("no engine, no sshd");
            expect(others(r).map(formatFinding)).toEqual([
                expect.stringMatching(/^p71 {2}docker {2}the Docker engine does not answer: .*docker\.sock.*; fix: install Docker and start it/),
                expect.stringMatching(/^p73 {2}connection {2}could not be read: ssh root@127\.0\.0\.73:22 ended with 255: .*Connection refused; fix: /),
            ]);
        } finally {
            onHost("p71", "umount /var/run/docker.sock");
            onHost("p73", "systemctl start ssh");
        }
        await waitFor("sshd on p73 again", 30_000, () => (onHost("p73", "systemctl is-active ssh || true").trim() === "active" ? true : undefined));
        const mended = await run("mended");
        expect(others(mended)).toEqual([]);
        expect(mended.problems.map((p) => p.what)).toEqual(expect.arrayContaining(clockProblems));
    });
});
