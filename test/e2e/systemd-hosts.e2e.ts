import { execFileSync, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseConfig } from "../../components/config";
import { SERVICES, service } from "../../components/services";
import { buildTopology, dataRootOf } from "../../components/topology";
import { bundleFiles } from "../emitted";
import { Evaluation, ROOT, Registered, evaluate, plain, secretKeys, stackConfig } from "../harness";
import { docker, tryDocker, waitFor } from "../real/docker";
import { checkStack, formatTable } from "../../scripts/health";

// The systemd runtime against real machinery: three systemd hosts on 127.0.0.11-13 with sshd,
// the program's remote.Commands run over real SSH as the command provider runs them, and the
// project's own ZooKeeper and registry images: the registry unit runs on h13, the program's
// pushes fill it, and the other units pull from it. See scripts/systemd-hosts.sh for the hosts.

const zookeeperVersion = service("zookeeper").version;
const HOSTS = { h11: "127.0.0.11", h12: "127.0.0.12", h13: "127.0.0.13" } as const;
type HostName = keyof typeof HOSTS;
const HOST_SCRIPT = path.join(ROOT, "scripts", "systemd-hosts.sh");
const container = (h: HostName) => `e2e-${h}`;

const work = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-"));
const keyFile = path.join(work, "id_ed25519");
const figures: Record<string, string> = {};
const seconds = (t0: number) => ((Date.now() - t0) / 1000).toFixed(1);

function sh(cmd: string, args: string[], timeoutMs = 120_000): string {
    return execFileSync(cmd, args, { encoding: "utf8", timeout: timeoutMs, stdio: ["ignore", "pipe", "pipe"] });
}

/**
 * Runs a command the way pulumi-command's remote provider does: one SSH session, the command
 * text as the remote command line, stdin piped. The connection is the one the program registered.
 */
function ssh(c: Registered, command: string, stdin = ""): { status: number | null; stdout: string; stderr: string } {
    const conn = plain(c.inputs.connection);
    const key = path.join(work, `key-${conn.host}`);
    fs.writeFileSync(key, conn.privateKey.endsWith("\n") ? conn.privateKey : `${conn.privateKey}\n`, { mode: 0o600 });
    const r = spawnSync(
        "ssh",
        ["-i", key, "-p", String(conn.port), "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=10", `${conn.user}@${conn.host}`, "--", command],
        { input: stdin, encoding: "utf8", timeout: 180_000 },
    );
    return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

/** `ssh` as a promise: the commands of one tier run at once, as Pulumi runs them. */
function sshAsync(c: Registered, command: string, stdin = ""): Promise<{ status: number | null; stdout: string; stderr: string }> {
    const conn = plain(c.inputs.connection);
    const key = path.join(work, `key-${conn.host}`);
    fs.writeFileSync(key, conn.privateKey.endsWith("\n") ? conn.privateKey : `${conn.privateKey}\n`, { mode: 0o600 });
    return new Promise((resolve) => {
        const child = spawn("ssh", ["-i", key, "-p", String(conn.port), "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=10", `${conn.user}@${conn.host}`, "--", command]);
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        const timer = setTimeout(() => child.kill("SIGKILL"), 400_000);
        child.on("close", (status) => {
            clearTimeout(timer);
            resolve({ status, stdout, stderr });
        });
        child.stdin.end(stdin);
    });
}

/** A shell command on a host, over SSH with the test key. */
function onHost(h: HostName, command: string): { status: number | null; stdout: string } {
    const r = spawnSync("ssh", ["-i", keyFile, "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", `root@${HOSTS[h]}`, "--", command], {
        encoding: "utf8",
        timeout: 60_000,
    });
    return { status: r.status, stdout: (r.stdout ?? "").trim() };
}

function srvr(address: string): string | undefined {
    const r = spawnSync("nc", ["-w", "2", address, "2181"], { input: "srvr\n", encoding: "utf8", timeout: 5_000 });
    return /^Mode: (\w+)$/m.exec(r.stdout ?? "")?.[1];
}

const modes = () => Object.fromEntries(Object.entries(HOSTS).map(([h, a]) => [h, srvr(a)]));
function quorate(): Record<string, string | undefined> | undefined {
    const m = modes();
    const v = Object.values(m);
    return v.filter((x) => x === "leader").length === 1 && v.filter((x) => x === "follower").length === 2 ? m : undefined;
}

function zkCli(h: HostName, command: string): string {
    return docker(["exec", `zookeeper-${h}`, "/usr/share/zookeeper/bin/zkCli.sh", "-server", `${HOSTS[h]}:2181`, ...command.split(" ")], 60_000);
}

/** The unit file a command writes (its container has the unit's name). */
const unitPathOf = (c: Registered) => [...bundleFiles(plain(c.inputs.stdin)).keys()].find((p) => p.endsWith(".service")) as string;

describe("the systemd runtime on three real hosts over SSH", () => {
    let e: Evaluation;
    let config: Record<string, string>;
    let commands: Registered[];
    let dataRoots: string[];

    beforeAll(async () => {
        sh("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", keyFile]);
        config = { ...stackConfig("e2e"), "mesos-cluster:sshPrivateKey": fs.readFileSync(keyFile, "utf8") };
        const t = buildTopology(parseConfig(config, { secretKeys: new Set(secretKeys()) }));
        dataRoots = t.hosts.map((h) => dataRootOf(t, h));
        const t0 = Date.now();
        sh("bash", [HOST_SCRIPT, "image"], 600_000);
        docker(["build", "--network", "host", "-q", "-t", `mesos-cluster/zookeeper:${zookeeperVersion}`, path.join(ROOT, "images", "zookeeper")], 600_000);
        // The registry's own image is loaded on its host before a deploy (the registry cannot serve it).
        docker(["build", "--network", "host", "-q", "-t", `mesos-cluster/registry:${service("registry").version}`, path.join(ROOT, "images", "registry")], 600_000);
        figures["images ready (s)"] = seconds(t0);
        for (const [i, h] of (Object.keys(HOSTS) as HostName[]).entries()) {
            sh("bash", [HOST_SCRIPT, "start", container(h), HOSTS[h], dataRoots[i], `${keyFile}.pub`], 180_000);
        }
        for (const h of Object.keys(HOSTS) as HostName[]) {
            await waitFor(`sshd on ${h}`, 60_000, () => (onHost(h, "true").status === 0 ? true : undefined));
        }
        e = await evaluate(config, "e2e");
        commands = e.ofType("command:remote:Command");
    }, 1_200_000);

    afterAll(() => {
        // Units first (their containers run on the shared engine), then the hosts.
        for (const c of commands ?? []) {
            tryDocker(["rm", "-f", path.basename(unitPathOf(c), ".service")]);
        }
        for (const ref of pushedRefs) {
            tryDocker(["rmi", ref]);
        }
        spawnSync("bash", [HOST_SCRIPT, "stop", ...Object.keys(HOSTS).map((h) => container(h as HostName))], { timeout: 120_000 });
        for (const root of dataRoots ?? []) {
            fs.rmSync(root, { recursive: true, force: true });
        }
        if (dataRoots?.length) {
            // The stack's roots share a parent made for this test.
            fs.rmSync(path.dirname(dataRoots[0]), { recursive: true, force: true });
        }
        fs.rmSync(work, { recursive: true, force: true });
        console.log(`e2e figures: ${JSON.stringify(figures)}`);
    });

    const pushedRefs: string[] = [];
    let digests: Record<string, string> = {};
    // Resources are named mesos-<service>-<host>-unit; service names hold no '-'.
    const tierOf = (c: Registered) => service(c.name.split("-")[1]).tier;

    /**
     * What the program's pushes (docker.Image resources) do once the registry runs: tag each
     * image that can be built here with its registry name and push it. The local tag is then
     * removed, so that the units' pulls must fetch it from the registry.
     */
    const pushAll = (): Record<string, string> => {
        const pushed: Record<string, string> = {};
        for (const p of e.ofType("docker:index/image:Image")) {
            const ref = p.inputs.imageName as string;
            const local = ref.replace(/^[^/]+\//, "");
            if (tryDocker(["image", "inspect", local]).status !== 0) {
                continue;
            }
            docker(["tag", local, ref]);
            docker(["push", ref], 300_000);
            // The digest the registry reports, as the provider's repoDigest output would.
            pushed[ref] = docker(["image", "inspect", "--format", `{{range .RepoDigests}}{{if eq (index (split . "@") 0) "${ref.replace(/:[^:/]+$/, "")}"}}{{.}}{{end}}{{end}}`, ref]).trim();
            docker(["rmi", ref]);
            pushedRefs.push(ref);
        }
        return pushed;
    };

    /** Every create, tier by tier as the program orders them, each tier's at once; the pushes after the registry's. */
    const createAll = async (only: (c: Registered) => boolean = () => true) => {
        const results: { c: Registered; status: number | null; stdout: string; stderr: string }[] = [];
        const tiers = [...new Set(SERVICES.map((s) => s.tier))].sort();
        for (const tier of tiers) {
            const batch = commands.filter((c) => tierOf(c) === tier && only(c));
            results.push(...(await Promise.all(batch.map(async (c) => ({ c, ...(await sshAsync(c, plain(c.inputs.create), plain(c.inputs.stdin))) })))));
            if (tier === service("registry").tier && batch.length > 0 && Object.keys(digests).length === 0) {
                const t0 = Date.now();
                digests = pushAll();
                expect(Object.keys(digests)).toEqual([`127.0.0.13:5000/mesos-cluster/zookeeper:${zookeeperVersion}`]);
                figures["push of the ZooKeeper image (s)"] = seconds(t0);
                // The units of the tiers above read the pushes' digests: the program again, with
                // the digests the registry reported, as Pulumi resolves those outputs.
                e = await evaluate(config, "e2e", secretKeys(), { imageDigests: digests });
                commands = e.ofType("command:remote:Command");
            }
        }
        return results;
    };

    test("every create writes its unit; the registry runs, ZooKeeper's pull from it, run and form a quorum", async () => {
        // Per master ZooKeeper, master, Marathon, Chronos; two agents; the registry; one Bamboo.
        expect(commands).toHaveLength(3 * 4 + 2 + 1 + 1);
        const t0 = Date.now();
        // In a deploy a failed tier stops the next; here every create runs, so that every unit
        // is written and can be checked even though only ZooKeeper's image exists.
        for (const r of await createAll()) {
            const unit = `${r.c.name.replace(/^mesos-[a-z]+-(.+)-unit$/, "$1")}`;
            if (r.c.name.startsWith("mesos-zookeeper-") || r.c.name.startsWith("mesos-registry-")) {
                expect({ unit, status: r.status, stderr: r.stderr }).toEqual({ unit, status: 0, stderr: "" });
                expect(r.stdout).toMatch(/\.service: active, ready after \d+s \(changed=1\)/);
            } else {
                // No Mesos, Marathon, Chronos or Bamboo image can be had here: the unit is written
                // and enabled, and the create says which image is missing from the registry.
                expect(r.status).toBe(1);
                expect(r.stderr).toMatch(/is written and enabled, but image 127\.0\.0\.13:5000\/mesos-cluster\/[a-z-]+@sha256:[0-9a-f]{64} is not on this host and could not be pulled/);
            }
        }
        await waitFor("one leader and two followers", 120_000, quorate, () => JSON.stringify(modes()));
        figures["first create to quorum (s)"] = seconds(t0);
    }, 300_000);

    test("every unit is on its host, enabled, and passes systemd-analyze verify there", () => {
        for (const c of commands) {
            const h = plain(c.inputs.connection).host === HOSTS.h11 ? "h11" : plain(c.inputs.connection).host === HOSTS.h12 ? "h12" : "h13";
            const files = [...bundleFiles(plain(c.inputs.stdin)).entries()];
            for (const [p, f] of files) {
                expect(onHost(h, `stat -c %a ${p}`).stdout).toBe(f.mode.replace(/^0/, ""));
            }
            const unitPath = unitPathOf(c);
            const unit = path.basename(unitPath);
            expect(onHost(h, `systemctl is-enabled ${unit}`).stdout).toBe("enabled");
            expect(onHost(h, `systemd-analyze verify ${unitPath} 2>&1; echo rc=$?`).stdout).toBe("rc=0");
            if (unit.startsWith("zookeeper-")) {
                expect(onHost(h, `systemctl is-active ${unit}`).stdout).toBe("active");
            }
        }
    });

    test("the units run the registry's copies: ZooKeeper's image came from the registry on h13", () => {
        const catalog = JSON.parse(sh("curl", ["-fsS", "http://127.0.0.13:5000/v2/_catalog"])).repositories;
        expect(catalog).toEqual(["mesos-cluster/zookeeper"]);
        for (const h of Object.keys(HOSTS) as HostName[]) {
            expect(docker(["inspect", "--format", "{{.Config.Image}}", `zookeeper-${h}`]).trim()).toBe(digests[`127.0.0.13:5000/mesos-cluster/zookeeper:${zookeeperVersion}`]);
        }
        // The registry's data is on h13's data root.
        expect(fs.readdirSync(path.join(dataRoots[2], "registry", "data", "docker", "registry", "v2", "repositories", "mesos-cluster"))).toEqual(["zookeeper"]);
    });

    test("a write on one member is read on another", () => {
        zkCli("h11", "create /e2e-probe written-on-h11");
        expect(zkCli("h13", "get /e2e-probe")).toContain("written-on-h11");
    });

    test("systemd restarts a killed leader, and the ensemble has a leader again", async () => {
        const before = await waitFor("a quorum", 60_000, quorate, () => JSON.stringify(modes()));
        const leader = (Object.keys(before) as HostName[]).find((h) => before[h] === "leader") as HostName;
        const oldId = docker(["inspect", "--format", "{{.Id}}", `zookeeper-${leader}`]).trim();
        const t0 = Date.now();
        docker(["kill", `zookeeper-${leader}`]);
        const others = (Object.keys(HOSTS) as HostName[]).filter((h) => h !== leader);
        await waitFor("a new leader among the other two", 60_000, () => (others.some((h) => srvr(HOSTS[h]) === "leader") ? true : undefined));
        figures["leader failover (s)"] = seconds(t0);
        await waitFor(`systemd to restart zookeeper-${leader}`, 90_000, () => {
            const r = tryDocker(["inspect", "--format", "{{.Id}} {{.State.Running}}", `zookeeper-${leader}`]);
            return r.status === 0 && !r.output.startsWith(oldId) && r.output.trim().endsWith("true") ? true : undefined;
        });
        figures["systemd restart, kill to running again (s)"] = seconds(t0);
        await waitFor("the restarted member back in the quorum", 90_000, quorate, () => JSON.stringify(modes()));
        figures["restart by systemd, kill to quorum (s)"] = seconds(t0);
        expect(zkCli(leader, "get /e2e-probe")).toContain("written-on-h11");
    }, 240_000);

    test("with one member's unit stopped, the other two serve reads and writes", async () => {
        expect(onHost("h12", "systemctl stop zookeeper-h12.service; systemctl is-active zookeeper-h12.service").stdout).toBe("inactive");
        await waitFor("zookeeper-h12's container gone", 60_000, () => (tryDocker(["inspect", "zookeeper-h12"]).status !== 0 ? true : undefined));
        await waitFor("a leader among h11 and h13", 60_000, () => ([srvr(HOSTS.h11), srvr(HOSTS.h13)].includes("leader") ? true : undefined));
        zkCli("h13", "create /e2e-degraded written-without-h12");
        expect(zkCli("h11", "get /e2e-degraded")).toContain("written-without-h12");
        expect(onHost("h12", "systemctl start zookeeper-h12.service; systemctl is-active zookeeper-h12.service").stdout).toBe("active");
        await waitFor("h12 back in the quorum", 90_000, quorate, () => JSON.stringify(modes()));
        expect(zkCli("h12", "get /e2e-degraded")).toContain("written-without-h12");
    }, 240_000);

    test("running every create again changes nothing: one unit each, active, data intact", async () => {
        const ids = Object.fromEntries(Object.keys(HOSTS).map((h) => [h, docker(["inspect", "--format", "{{.Id}}", `zookeeper-${h}`]).trim()]));
        for (const r of await createAll((c) => c.name.startsWith("mesos-zookeeper-"))) {
            expect(r.status).toBe(0);
            expect(r.stdout).toMatch(/\.service: active, ready after \d+s \(changed=0\)/);
        }
        for (const h of Object.keys(HOSTS) as HostName[]) {
            expect(onHost(h, "systemctl list-unit-files 'zookeeper-*' --no-legend | wc -l").stdout).toBe("1");
            // Not restarted: the same container still runs.
            expect(docker(["inspect", "--format", "{{.Id}}", `zookeeper-${h}`]).trim()).toBe(ids[h]);
        }
        await waitFor("a quorum", 60_000, quorate, () => JSON.stringify(modes()));
        expect(zkCli("h12", "get /e2e-probe")).toContain("written-on-h11");
    }, 240_000);

    test("a create that fails after writing its files is finished by the next run, which also removes a file no longer emitted", async () => {
        const c = commands.find((x) => x.name === "mesos-zookeeper-h11-unit") as Registered;
        const create = plain(c.inputs.create) as string;
        const stdin = plain(c.inputs.stdin) as string;
        const stale = path.join(dataRoots[0], "zookeeper", "config", "stale-credential");
        // A run that emits one more file and whose readiness fails: as a deploy cut short.
        const extra = `0600 0 0 ${stale} ${Buffer.from("old secret").toString("base64")}\n`;
        const failing = create.replace(/'300' 'zookeeper-entrypoint' 'health'$/, "'4' 'false'");
        expect(failing).not.toBe(create);
        const first = ssh(c, failing, stdin + extra);
        expect({ status: first.status, stderr: first.stderr }).toEqual({ status: 1, stderr: expect.stringMatching(/zookeeper-h11\.service is not ready after 4s/) });
        expect(fs.existsSync(stale)).toBe(true);
        const before = docker(["inspect", "--format", "{{.Id}}", "zookeeper-h11"]).trim();
        // The next run is asked for the state it never reached: it restarts, waits, records.
        const second = ssh(c, create, stdin);
        expect({ status: second.status, stdout: second.stdout }).toEqual({ status: 0, stdout: expect.stringMatching(/zookeeper-h11\.service: active, ready after \d+s \(changed=1\)/) });
        expect(docker(["inspect", "--format", "{{.Id}}", "zookeeper-h11"]).trim()).not.toBe(before);
        expect(fs.existsSync(stale)).toBe(false);
        // And the run after that has nothing left to do.
        expect(ssh(c, create, stdin).stdout).toMatch(/\(changed=0\)/);
        await waitFor("a quorum", 90_000, quorate, () => JSON.stringify(modes()));
    }, 240_000);

    test("npm run health reports the ensemble's members healthy and the services without images down", async () => {
        const rows = await checkStack("e2e", 3000);
        const zk = rows.filter((r) => r.service === "zookeeper");
        expect(rows.filter((r) => r.service === "registry").map((r) => [r.host, r.ok])).toEqual([["h13", true]]);
        expect(zk.map((r) => [r.host, r.ok])).toEqual([
            ["h11", true],
            ["h12", true],
            ["h13", true],
        ]);
        expect(zk.map((r) => r.status).sort()).toEqual(["follower", "follower", "leader"]);
        for (const r of rows.filter((x) => x.service !== "zookeeper" && x.service !== "registry")) {
            expect({ endpoint: r.endpoint, ok: r.ok }).toEqual({ endpoint: r.endpoint, ok: false });
        }
        expect(formatTable(rows)).toMatch(/^SERVICE\s+HOST\s+ENDPOINT\s+STATUS\s+LATENCY\n/);
    });

    test("the readiness step fails with a clear message when the member cannot reach a quorum", async () => {
        // A deploy whose readiness deadline is 20 s, with h12's and h13's members held down.
        // With the digests the registry reported, as every deploy after the first push sees them.
        const short = await evaluate({ ...config, "mesos-cluster:readinessTimeoutSeconds": "20" }, "e2e", secretKeys(), { imageDigests: digests });
        const h11 = short.byName("mesos-zookeeper-h11-unit");
        for (const h of ["h12", "h13"] as const) {
            expect(onHost(h, `systemctl stop zookeeper-${h}.service; systemctl is-active zookeeper-${h}.service`).stdout).toBe("inactive");
        }
        await waitFor("h11 without a quorum", 60_000, () => (srvr(HOSTS.h11) === undefined ? true : undefined));
        const t0 = Date.now();
        const r = ssh(h11, plain(h11.inputs.create), plain(h11.inputs.stdin));
        figures["readiness failure after (s)"] = seconds(t0);
        expect(r.status).toBe(1);
        expect(r.stderr).toMatch(/zookeeper-h11\.service is not ready after 20s \(its health check: zookeeper-entrypoint health\); its last log lines:/);
        expect(r.stderr.split("\n").length).toBeGreaterThan(3);
        for (const h of ["h12", "h13"] as const) {
            onHost(h, `systemctl start zookeeper-${h}.service`);
        }
        await waitFor("the quorum back", 120_000, quorate, () => JSON.stringify(modes()));
    }, 240_000);

    test("delete removes units and files and keeps the data", () => {
        for (const c of commands) {
            const r = ssh(c, plain(c.inputs.delete));
            expect({ name: c.name, status: r.status }).toEqual({ name: c.name, status: 0 });
        }
        for (const [i, h] of (Object.keys(HOSTS) as HostName[]).entries()) {
            expect(onHost(h, "ls /etc/systemd/system | grep -cE '^(zookeeper|master|agent|marathon|chronos|bamboo|registry)-' || true").stdout).toBe("0");
            expect(onHost(h, "ls -A /etc/mesos-cluster | wc -l").stdout).toBe("0");
            expect(tryDocker(["inspect", `zookeeper-${h}`]).status).not.toBe(0);
            expect(fs.readFileSync(path.join(dataRoots[i], "zookeeper", "data", "myid"), "utf8").trim()).toBe(String(i + 1));
            expect(fs.existsSync(path.join(dataRoots[i], "zookeeper", "data", "version-2"))).toBe(true);
        }
        // The registry's images outlive its unit.
        expect(fs.readdirSync(path.join(dataRoots[2], "registry", "data", "docker", "registry", "v2", "repositories", "mesos-cluster"))).toEqual(["zookeeper"]);
    }, 240_000);
});

