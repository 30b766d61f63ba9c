import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseConfig } from "../../components/config";
import { service } from "../../components/services";
import { buildTopology } from "../../components/composition";
import { dataRootOf } from "../../components/topology";
import { bundle } from "../../components/runtimes/systemd";
import { bundleFiles } from "../emitted";
import { Evaluation, ROOT, Registered, evaluate, plain, secretKeys, stackConfig } from "../harness";
import { Ended, runAsync } from "../processes";
import { docker, tryDocker, waitFor } from "../real/docker";
import { WriteRecord, kazooAvailable, longestGapWithin, probeAcl, startWriter, zkTree, DumpedNode } from "../tools/zkWriter";
import { ZOOKEEPER_USERS, ZooKeeperUser } from "../../components/services/credentials";
import { StepResult, StepRun, changed, deploy } from "./steps";
import { checkStack, formatTable } from "../../scripts/health";
import { DriftOptions, checkDrift } from "../../scripts/drift";
import { preflight } from "../../scripts/preflight";
import { formatFinding } from "../../components/preflight/judge";
import { Difference, formatDifferences } from "../../components/drift/compare";
import { RestoreRefused, backup, restore } from "../../scripts/backup";
import { MANIFEST, Manifest, REGISTRY_PART, ZOOKEEPER_PARTS } from "../../components/backup/manifest";

// The systemd runtime against real machinery: three systemd hosts on 127.0.0.11-13 with sshd,
// the program's remote.Commands run over real SSH as the command provider runs them, and the
// project's own ZooKeeper and registry images: the registry unit runs on h13, the program's
// pushes fill it, and the other units pull from it. See scripts/systemd-hosts.sh for the hosts.

const zookeeperVersion = service("zookeeper").version;
const HOSTS = { h11: "127.0.0.11", h12: "127.0.0.12", h13: "127.0.0.13" } as const;
type HostName = keyof typeof HOSTS;
/** Two more hosts for growing the masters from three to five (and back). */
const GROWTH = { h14: "127.0.0.14", h15: "127.0.0.15" } as const;
type AnyHost = HostName | keyof typeof GROWTH;
const ALL_HOSTS: Record<AnyHost, string> = { ...HOSTS, ...GROWTH };
const HOST_SCRIPT = path.join(ROOT, "scripts", "systemd-hosts.sh");
const container = (h: AnyHost) => `e2e-${h}`;

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
function sshAsync(c: Registered, command: string, stdin = ""): Promise<Ended> {
    const conn = plain(c.inputs.connection);
    const key = path.join(work, `key-${conn.host}`);
    fs.writeFileSync(key, conn.privateKey.endsWith("\n") ? conn.privateKey : `${conn.privateKey}\n`, { mode: 0o600 });
    return runAsync(
        "ssh",
        ["-i", key, "-p", String(conn.port), "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=10", `${conn.user}@${conn.host}`, "--", command],
        { stdin, deadlineMs: 400_000 },
    );
}

/** A shell command on a host, over SSH with the test key. */
function onHost(h: AnyHost, command: string): { status: number | null; stdout: string } {
    const r = spawnSync("ssh", ["-i", keyFile, "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", `root@${ALL_HOSTS[h]}`, "--", command], {
        encoding: "utf8",
        timeout: 60_000,
    });
    return { status: r.status, stdout: (r.stdout ?? "").trim() };
}

function srvr(address: string): string | undefined {
    const r = spawnSync("nc", ["-w", "2", address, "2181"], { input: "srvr\n", encoding: "utf8", timeout: 5_000 });
    return /^Mode: (\w+)$/m.exec(r.stdout ?? "")?.[1];
}

const modes = (hosts: Readonly<Record<string, string>> = HOSTS) => Object.fromEntries(Object.entries(hosts).map(([h, a]) => [h, srvr(a)]));
/** The members' modes once every one of `hosts` is in the quorum: one leader, the rest followers. */
function quorate(hosts: Readonly<Record<string, string>> = HOSTS): Record<string, string | undefined> | undefined {
    const m = modes(hosts);
    const v = Object.values(m);
    return v.filter((x) => x === "leader").length === 1 && v.filter((x) => x === "follower").length === v.length - 1 ? m : undefined;
}

/** The server ids of the ensemble's membership, as a member reports it (`conf`), "" while it does not serve. */
function membership(address: string): string {
    const r = spawnSync("nc", ["-w", "2", address, "2181"], { input: "conf\n", encoding: "utf8", timeout: 5_000 });
    return (r.stdout ?? "")
        .split("\n")
        .filter((l) => l.startsWith("server."))
        .map((l) => l.split("=")[0].slice("server.".length))
        .join(",");
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/**
 * How often systemd itself has started each member's unit again (NRestarts) since its last
 * start by hand: a start that fails, as one that finds the stopped container's name still
 * taken, counts one; `systemctl restart` sets it back to 0 (systemd's service.c,
 * flush_n_restarts), so after a create step it must read 0.
 */
const automaticRestarts = (hosts: readonly string[]) =>
    Object.fromEntries(hosts.map((h) => [h, onHost(h as AnyHost, `systemctl show -p NRestarts --value zookeeper-${h}.service`).stdout]));
const noAutomaticRestarts = (hosts: readonly string[]) => Object.fromEntries(hosts.map((h) => [h, "0"]));

/** The ids of the running ZooKeeper containers, by host. */
const zookeeperIds = (hosts: readonly string[]) => Object.fromEntries(hosts.map((h) => [h, tryDocker(["inspect", "--format", "{{.Id}}", `zookeeper-${h}`]).output.trim()]));

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
        // The hosts first: their systemd would start a unit's container again (RestartSec=10)
        // after it is removed, and that container, on the shared engine, would outlive the test.
        spawnSync("bash", [HOST_SCRIPT, "stop", ...Object.keys(ALL_HOSTS).map((h) => container(h as AnyHost))], { timeout: 120_000 });
        for (const unit of new Set([...everyUnit, ...(commands ?? []).map((c) => path.basename(unitPathOf(c), ".service"))])) {
            tryDocker(["rm", "-f", unit]);
        }
        for (const ref of pushedRefs) {
            tryDocker(["rmi", ref]);
        }
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

    /**
     * What a program's push (a docker.Image resource) does once the registry runs: tag the
     * image, if it can be built here, with its registry name and push it. The local tag is then
     * removed, so that the units' pulls must fetch it from the registry. Returns the digest the
     * registry reported, or undefined for an image that cannot be built here.
     */
    const push = (p: Registered): string | undefined => {
        const ref = p.inputs.imageName as string;
        const local = ref.replace(/^[^/]+\//, "");
        if (tryDocker(["image", "inspect", local]).status !== 0) {
            return undefined;
        }
        docker(["tag", local, ref]);
        docker(["push", ref], 300_000);
        // The digest the registry reports, as the provider's repoDigest output would.
        const digest = docker(["image", "inspect", "--format", `{{range .RepoDigests}}{{if eq (index (split . "@") 0) "${ref.replace(/:[^:/]+$/, "")}"}}{{.}}{{end}}{{end}}`, ref]).trim();
        docker(["rmi", ref]);
        pushedRefs.push(ref);
        return digest;
    };

    /** Only Mesos's, Marathon's, Chronos's and Bamboo's images are missing here: their steps fail, and are counted as done. */
    const imageMissingHere = (_: Registered, r: StepResult) => /is written and enabled, but image \S+ is not on this host|cannot be built here/.test(r.detail ?? "");

    /**
     * `pulumi up` from the state `before` (the previous run's registrations) to the program
     * evaluated with `next`'s config: the program's remote commands over SSH and its pushes, in
     * the order the engine runs them (./steps.ts), a step's inputs read when it starts (a push
     * makes the program see the digest the registry reported, as Pulumi resolves that output).
     */
    const up = async (before: readonly Registered[], nextConfig: Record<string, string>, tolerate?: (r: Registered, x: StepResult) => boolean) => {
        let current = await evaluate(nextConfig, "e2e", secretKeys(), { imageDigests: digests });
        const plan = current.resources;
        const runs = await deploy({
            before,
            after: plan,
            run: (r, kind) => {
                if (r.type === "docker:index/image:Image") {
                    return (async () => {
                        const digest = push(r);
                        if (digest === undefined) {
                            return { ok: false, detail: `${r.inputs.imageName} cannot be built here` };
                        }
                        digests = { ...digests, [r.inputs.imageName as string]: digest };
                        current = await evaluate(nextConfig, "e2e", secretKeys(), { imageDigests: digests });
                        return { ok: true };
                    })();
                }
                if (r.type !== "command:remote:Command") {
                    return undefined;
                }
                return (async () => {
                    const c = current.byName(r.name);
                    const out = await sshAsync(c, plain(kind === "update" ? (c.inputs.update ?? c.inputs.create) : c.inputs.create), plain(c.inputs.stdin));
                    results.set(r.name, out);
                    return { ok: out.status === 0, detail: `${out.stdout}${out.stderr}` };
                })();
            },
            remove: (r) =>
                r.type !== "command:remote:Command"
                    ? undefined
                    : (async () => {
                          const out = await sshAsync(r, plain(r.inputs.delete));
                          return { ok: out.status === 0, detail: `${out.stdout}${out.stderr}` };
                      })(),
            tolerate,
        });
        current = await evaluate(nextConfig, "e2e", secretKeys(), { imageDigests: digests });
        for (const c of current.ofType("command:remote:Command")) {
            everyUnit.add(path.basename(unitPathOf(c), ".service"));
        }
        return { runs, next: current };
    };
    const writing = kazooAvailable() ? test : test.skip;
    const ensemble = Object.values(HOSTS).map((a) => `${a}:2181`).join(",");

    /** What each command printed in its latest run, by resource name. */
    const results = new Map<string, { status: number | null; stdout: string; stderr: string }>();
    /** Every unit any run registered, to remove their containers afterwards. */
    const everyUnit = new Set<string>();

    /** The ZooKeeper steps of a run, in the order they started, with their seconds. */
    const zookeeperSteps = (runs: readonly StepRun[]) =>
        runs
            .filter((r) => r.name.startsWith("mesos-zookeeper-"))
            .sort((a, b) => a.start - b.start)
            .map((r) => ({ ...r, host: r.name.replace(/^mesos-zookeeper-(.+)-unit$/, "$1"), seconds: (r.end - r.start) / 1000 }));

    /** Each gap over 0.2 s between acknowledged writes, with the steps under way when it began. */
    const gapsDuring = (record: WriteRecord, runs: readonly StepRun[]) =>
        record.gaps
            .map(([at, secs]) => {
                const during = runs.filter((r) => r.start <= at * 1000 && at * 1000 <= r.end).map((r) => r.name.replace(/^mesos-|-unit$/g, ""));
                return `${secs.toFixed(2)} s during ${during.join("+") || "no step"}`;
            })
            .join("; ");

    /** Each step started only once the one before had ended: one member at a time. */
    const oneAtATime = (steps: readonly StepRun[]) => steps.every((r, i) => i === 0 || r.start >= steps[i - 1].end);

    /**
     * npm run preflight's check of the three hosts (docs/operations/preflight.md): its problems but
     * the clock's, which is this machine's kernel clock, shared by the hosts, that the test cannot change.
     */
    const preflightProblems = async (what: string) => {
        const r = await preflight({ stack: "e2e", identity: keyFile, knownHosts: path.join(work, "known_hosts") });
        figures[`preflight, ${what} (s)`] = (r.ms / 1000).toFixed(2);
        return r.problems.filter((p) => p.check !== "clock").map(formatFinding);
    };

    test("npm run preflight: the fresh hosts are ready", async () => {
        expect(await preflightProblems("fresh hosts")).toEqual([]);
    });

    test("every create writes its unit, in the engine's order; the registry runs, ZooKeeper's pull from it, run and form a quorum", async () => {
        // Per master ZooKeeper, master, Marathon, Chronos; two agents; the registry; one Bamboo.
        expect(commands).toHaveLength(3 * 4 + 2 + 1 + 1);
        const t0 = Date.now();
        // Steps whose image cannot be had here fail and are counted as done, so that every unit
        // is written and can be checked; only ZooKeeper's and the registry's images exist.
        const { runs, next } = await up([], config, imageMissingHere);
        e = next;
        commands = e.ofType("command:remote:Command");
        expect(Object.keys(digests)).toEqual([`127.0.0.13:5000/mesos-cluster/zookeeper:${zookeeperVersion}`]);
        expect(runs.filter((r) => r.name.endsWith("-unit")).map((r) => r.name).sort()).toEqual(commands.map((c) => c.name).sort());
        for (const c of commands) {
            const r = results.get(c.name) as { status: number | null; stdout: string; stderr: string };
            const unit = `${c.name.replace(/^mesos-[a-z]+-(.+)-unit$/, "$1")}`;
            if (c.name.startsWith("mesos-zookeeper-") || c.name.startsWith("mesos-registry-")) {
                expect({ unit, status: r.status, stderr: r.stderr }).toEqual({ unit, status: 0, stderr: "" });
                expect(r.stdout).toMatch(/\.service: active, ready after \d+s \(changed=1\)/);
            } else {
                // No Mesos, Marathon, Chronos or Bamboo image can be had here: the unit is written
                // and enabled, and the create says which image is missing from the registry.
                expect(r.status).toBe(1);
                expect(r.stderr).toMatch(/is written and enabled, but image 127\.0\.0\.13:5000\/mesos-cluster\/[a-z-]+@sha256:[0-9a-f]{64} is not on this host and could not be pulled/);
            }
        }
        // The members were created one at a time, each once the one before was ready: the first
        // alone, while the ensemble was being formed.
        const zk = zookeeperSteps(runs);
        expect(zk.map((r) => r.host)).toEqual(["h11", "h12", "h13"]);
        expect(oneAtATime(zk)).toBe(true);
        await waitFor("one leader and two followers", 120_000, () => quorate(), () => JSON.stringify(modes()));
        figures["first create to quorum (s)"] = seconds(t0);
        figures["first create, per member (s)"] = zk.map((r) => `${r.host} ${r.seconds.toFixed(1)}`).join(", ");
    }, 600_000);

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

    test("npm run preflight on the running cluster: the ports its own containers hold pass, as a second pulumi up needs", async () => {
        // ZooKeeper's three ports on every host and the registry's on h13 are held by the cluster's
        // own containers, by the names the program gives them.
        for (const h of Object.keys(HOSTS) as HostName[]) {
            // Java listens on the IPv4-mapped address: [::ffff:127.0.0.11]:2181.
            expect(onHost(h, "ss -ltnH").stdout).toMatch(new RegExp(`${HOSTS[h].replace(/\./g, "\\.")}\\]?:2181 `));
        }
        expect(await preflightProblems("running cluster")).toEqual([]);
    });

    test("npm run drift: a clean cluster reports nothing; a hand-edited unit, a key file made 0644, a stopped unit, a deleted file and an image swapped under its tag are each reported by host and service", async () => {
        const tag = `127.0.0.13:5000/mesos-cluster/zookeeper:${zookeeperVersion}`;
        const deployed = digests[tag];
        const digestsFile = path.join(work, "digests.json");
        fs.writeFileSync(digestsFile, JSON.stringify(digests));
        const knownHosts = path.join(work, "known_hosts");
        const options: DriftOptions = { stack: "e2e", identity: keyFile, knownHosts, digests };
        const cli = (...extra: string[]) =>
            spawnSync("npx", ["ts-node", "-P", "tsconfig.json", "scripts/drift.ts", "--stack", "e2e", "--identity", keyFile, "--known-hosts", knownHosts, "--digests", digestsFile, ...extra], {
                cwd: ROOT,
                encoding: "utf8",
                timeout: 240_000,
            });
        // The services whose image cannot be had here were never pushed nor started: their tags
        // not in the registry, their units inactive, no container. That, and only that, is what a
        // clean e2e cluster differs in (their units and files are checked like the others').
        const noImageHere = (d: Difference) =>
            d.service !== "zookeeper" &&
            d.service !== "registry" &&
            ((d.kind === "container" && /^does not exist \(and image \S+ is not on the host\)$/.test(d.detail)) ||
                (d.kind === "unit" && d.detail === "is inactive, the program starts it") ||
                (d.kind === "image" && d.detail === "is not in the registry: a host that pulls it again gets nothing"));
        const line = (d: Difference) => `${d.host} ${d.service} ${d.kind} ${d.subject}: ${d.detail}`;

        let t0 = Date.now();
        const clean = await checkDrift(options);
        figures["drift check, 3 hosts (s)"] = seconds(t0);
        expect(clean.unreadable).toEqual([]);
        // The images that cannot be built here were never pushed: their digests are the mocks', in
        // no file, so the units' own are taken (and said); ZooKeeper's is the registry's.
        const aboutImagesHere = (n: string) => /^h1[123] (zookeeper|registry):/.test(n);
        expect(clean.notes.filter(aboutImagesHere)).toEqual([]);
        expect(clean.differences.filter((d) => !noImageHere(d)).map(line)).toEqual([]);
        expect([...new Set(clean.differences.map((d) => `${d.host}/${d.service}`))].sort()).toEqual(
            commands.map((c) => c.name.replace(/^mesos-([a-z]+)-(.+)-unit$/, "$2/$1")).filter((n) => !/\/(zookeeper|registry)$/.test(n)).sort(),
        );
        // Without the state's digests, the units' own are taken, and said so.
        const adopted = await checkDrift({ ...options, digests: undefined });
        expect(adopted.differences.filter((d) => !noImageHere(d)).map(line)).toEqual([]);
        expect(adopted.notes.filter(aboutImagesHere).map((n) => n.slice(0, 14))).toEqual(["h11 zookeeper:", "h12 zookeeper:", "h13 zookeeper:"]);
        expect(adopted.notes.filter(aboutImagesHere).every((n) => n.includes(`the unit's own (${digests[`127.0.0.13:5000/mesos-cluster/zookeeper:${zookeeperVersion}`]})`))).toBe(true);
        const quiet = cli("--services", "zookeeper,registry");
        expect({ status: quiet.status, stdout: quiet.stdout, stderr: quiet.stderr }).toEqual({ status: 0, stdout: "drift: no differences\n", stderr: "" });

        // By hand, behind Pulumi's back.
        const h12Key = path.join(dataRoots[1], "zookeeper", "config", "super-password");
        const h13RegistryConfig = path.join(dataRoots[2], "registry", "config", "config.yml");
        expect(onHost("h11", "sed -i 's/^RestartSec=10$/RestartSec=1/' /etc/systemd/system/zookeeper-h11.service && grep -c '^RestartSec=1$' /etc/systemd/system/zookeeper-h11.service").stdout).toBe("1");
        expect(onHost("h12", `chmod 644 ${h12Key} && stat -c %a ${h12Key}`).stdout).toBe("644");
        expect(onHost("h13", "systemctl stop zookeeper-h13.service; systemctl is-active zookeeper-h13.service").stdout).toBe("inactive");
        await waitFor("zookeeper-h13's container gone", 60_000, () => (tryDocker(["inspect", "zookeeper-h13"]).status !== 0 ? true : undefined));
        expect(onHost("h13", `rm ${h13RegistryConfig} && test ! -e ${h13RegistryConfig}`).status).toBe(0);
        // Another image pushed under the tag the units' digest came from.
        docker(["tag", "debian:bookworm-slim", tag]);
        docker(["push", "-q", tag], 300_000);
        tryDocker(["rmi", tag]);
        let drifted: Awaited<ReturnType<typeof checkDrift>>;
        let loud: ReturnType<typeof cli>;
        try {
            t0 = Date.now();
            drifted = await checkDrift(options);
            figures["drift check, 3 hosts with 5 changes (s)"] = seconds(t0);
            loud = cli();
        } finally {
            // Mended as the next deploy would: each create run again, and the image pushed again.
            for (const name of ["mesos-zookeeper-h11-unit", "mesos-zookeeper-h12-unit", "mesos-zookeeper-h13-unit", "mesos-registry-h13-unit"]) {
                const c = e.byName(name);
                expect({ name, status: ssh(c, plain(c.inputs.create), plain(c.inputs.stdin)).status }).toEqual({ name, status: 0 });
            }
            docker(["tag", deployed, tag]);
            docker(["push", "-q", tag], 300_000);
            // Untagging may take the digest reference with it (when no other tag is left, as after
            // the first push): the units pulled it from the registry then, and so it is pulled now.
            // The engine refuses to untag an image's last tag while a container runs it: kept then.
            tryDocker(["rmi", tag]);
            docker(["pull", "-q", deployed], 300_000);
        }
        const swapped = /^sha256:[0-9a-f]{64}$/;
        const found = drifted.differences.filter((d) => !noImageHere(d));
        const bySubject = (a: object, b: object) => JSON.stringify(a).localeCompare(JSON.stringify(b));
        expect(found.map((d) => ({ host: d.host, service: d.service, kind: d.kind, subject: d.subject, detail: d.detail.replace(/sha256:[0-9a-f]{64}/g, "sha256:…") })).sort(bySubject)).toEqual([
            { host: "h11", service: "zookeeper", kind: "file", subject: "/etc/systemd/system/zookeeper-h11.service", detail: "content differs" },
            { host: "h11", service: "zookeeper", kind: "image", subject: tag, detail: "swapped under its tag in the registry: it names sha256:…, the program deployed sha256:…" },
            { host: "h12", service: "zookeeper", kind: "file", subject: h12Key, detail: "mode 644, the program writes 600" },
            { host: "h12", service: "zookeeper", kind: "image", subject: tag, detail: "swapped under its tag in the registry: it names sha256:…, the program deployed sha256:…" },
            { host: "h13", service: "zookeeper", kind: "unit", subject: "zookeeper-h13.service", detail: "is inactive, the program starts it" },
            { host: "h13", service: "zookeeper", kind: "container", subject: "zookeeper-h13", detail: "does not exist" },
            { host: "h13", service: "zookeeper", kind: "image", subject: tag, detail: "swapped under its tag in the registry: it names sha256:…, the program deployed sha256:…" },
            { host: "h13", service: "registry", kind: "file", subject: h13RegistryConfig, detail: "missing" },
        ].sort(bySubject));
        expect(found.find((d) => d.subject.endsWith("zookeeper-h11.service"))?.diff).toMatch(/\n-RestartSec=10\n\+RestartSec=1\n/);
        const named = found.find((d) => d.kind === "image")?.detail.match(/sha256:[0-9a-f]{64}/g) ?? [];
        expect(named.every((x) => swapped.test(x)) && named[1] === deployed.split("@")[1] && named[0] !== named[1]).toBe(true);
        // The command: exit 1, the same report, and no secret's content (the key file's is read, compared, never shown).
        expect(loud.status).toBe(1);
        for (const d of found) {
            expect(loud.stdout).toContain(formatDifferences([d]));
        }
        expect(loud.stdout).toMatch(/drift: \d+ difference\(s\) on 3 host\(s\)\n$/);
        const secret = fs.readFileSync(h12Key, "utf8").trim();
        expect(secret.length).toBeGreaterThan(8);
        expect(`${loud.stdout}${loud.stderr}`).not.toContain(secret);
        figures["drift report, the five changes"] = formatDifferences(found.filter((d) => d.diff === undefined)).split("\n").join(" | ");

        // Mended: nothing left.
        await waitFor("a quorum", 90_000, () => quorate(), () => JSON.stringify(modes()));
        const after = await checkDrift(options);
        expect(after.differences.filter((d) => !noImageHere(d)).map(line)).toEqual([]);
    }, 600_000);

    writing("backup while a client writes, the data wiped, restore: 10,000 nodes with their data, ACLs and versions back, the image pullable by digest; a corrupt or partial backup refused", async () => {
        await waitFor("a quorum", 90_000, () => quorate(), () => JSON.stringify(modes()));
        const password = (user: ZooKeeperUser) => plain(e.byName(`mesos-${ZOOKEEPER_USERS[user].secret}`).outputs.result) as string;
        // Each path's nodes are its service's user's, as each service (Bamboo through its image's login) makes them.
        const owners = Object.fromEntries((["marathon", "chronos", "bamboo"] as ZooKeeperUser[]).map((u) => [ZOOKEEPER_USERS[u].path, `${u}:${password(u)}`]));
        expect(Object.keys(owners).sort()).toEqual(["/bamboo", "/chronos", "/marathon"]);
        const paths = Object.keys(owners);
        expect(await zkTree("fill", { connect: ensemble, owners, under: "e2e-backup", count: 10_000 })).toEqual({ made: 10_000 });
        const before = await zkTree("dump", { connect: ensemble, paths });
        const filled = Object.keys(before).filter((p) => /\/e2e-backup\/n-\d{5}$/.test(p));
        expect(filled).toHaveLength(10_000);
        // Every fifth node of each path written again.
        expect(filled.filter((p) => before[p].version === 1)).toHaveLength(filled.filter((p) => Number(p.slice(-5)) % 5 === 0).length);
        const reach = { identity: keyFile, knownHosts: path.join(work, "known_hosts"), readySeconds: 180 };
        const out = path.join(work, "backup");
        const zkUnits = Object.keys(HOSTS).map((h) => `zookeeper-${h}.service`);

        // Taken while a client writes a node every 20 ms.
        let manifest: Manifest | undefined;
        let t0 = 0;
        const writer = startWriter(ensemble, "/e2e-backup-writer");
        let record: WriteRecord;
        try {
            await sleep(1500);
            t0 = Date.now();
            manifest = await backup("e2e", out, reach);
            figures["backup, 10,000 znodes and the registry (s)"] = seconds(t0);
            await sleep(1500);
        } finally {
            record = await writer.stop();
        }
        expect({ lost: record.lost, acked: record.acked > 50 }).toEqual({ lost: 0, acked: true });
        const m = manifest as Manifest;
        expect(m.parts.map((p) => p.name)).toEqual([...ZOOKEEPER_PARTS, REGISTRY_PART]);
        figures["backup, parts (bytes)"] = m.parts.map((p) => `${p.name} ${p.bytes} from ${p.host}`).join(", ");
        figures["backup, zxids"] = `${m.zookeeper?.zxidBefore}..${m.zookeeper?.zxidAfter} from ${m.zookeeper?.from}`;
        // 0600 parts in a 0700 folder.
        expect((fs.statSync(out).mode & 0o777).toString(8)).toBe("700");
        for (const f of fs.readdirSync(out)) {
            expect({ f, mode: (fs.statSync(path.join(out, f)).mode & 0o777).toString(8) }).toEqual({ f, mode: "600" });
        }

        // The data gone: every member and the registry stopped, their data removed, started again empty.
        for (const [i, h] of (Object.keys(HOSTS) as HostName[]).entries()) {
            expect(onHost(h, `systemctl stop zookeeper-${h}.service ${h === "h13" ? "registry-h13.service" : ""}`).status).toBe(0);
            fs.rmSync(path.join(dataRoots[i], "zookeeper", "data", "version-2"), { recursive: true, force: true });
            fs.rmSync(path.join(dataRoots[i], "zookeeper", "datalog", "version-2"), { recursive: true, force: true });
        }
        fs.rmSync(path.join(dataRoots[2], "registry", "data"), { recursive: true, force: true });
        fs.mkdirSync(path.join(dataRoots[2], "registry", "data"));
        for (const h of Object.keys(HOSTS) as HostName[]) {
            expect(onHost(h, `systemctl start zookeeper-${h}.service ${h === "h13" ? "registry-h13.service" : ""}`).status).toBe(0);
        }
        await waitFor("a quorum of the emptied ensemble", 120_000, () => quorate(), () => JSON.stringify(modes()));
        expect(Object.keys(await zkTree("dump", { connect: ensemble, paths: paths.map((p) => `${p}/e2e-backup`) }))).toEqual([]);
        const [repo, digest] = digests[`127.0.0.13:5000/mesos-cluster/zookeeper:${zookeeperVersion}`].replace(/^127\.0\.0\.13:5000\//, "").split("@");
        const manifestUrl = `http://127.0.0.13:5000/v2/${repo}/manifests/${digest}`;
        const accept = "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json";
        await waitFor("the emptied registry", 60_000, async () => ((await fetch("http://127.0.0.13:5000/v2/", { signal: AbortSignal.timeout(3000) }).catch(() => undefined))?.status === 200 ? true : undefined));
        expect((await fetch(manifestUrl, { headers: { Accept: accept } })).status).toBe(404);

        // A corrupt part, a missing one, a backup of another ensemble: refused, naming it, nothing touched.
        const containers = () => Object.fromEntries([...Object.keys(HOSTS).map((h) => `zookeeper-${h}`), "registry-h13"].map((c) => [c, tryDocker(["inspect", "--format", "{{.Id}}", c]).output.trim()]));
        const running = containers();
        const copy = (name: string, change: (dir: string) => void) => {
            const dir = path.join(work, name);
            fs.cpSync(out, dir, { recursive: true });
            change(dir);
            return dir;
        };
        const corrupt = copy("corrupt", (d) => {
            const f = path.join(d, ZOOKEEPER_PARTS[1]);
            const bytes = fs.readFileSync(f);
            bytes[Math.floor(bytes.length / 2)] ^= 0xff;
            fs.writeFileSync(f, bytes);
        });
        const partial = copy("partial", (d) => fs.rmSync(path.join(d, REGISTRY_PART)));
        const cutShort = copy("cut-short", (d) => fs.truncateSync(path.join(d, ZOOKEEPER_PARTS[0]), 100));
        const otherEnsemble = copy("other-ensemble", (d) => {
            const mf = JSON.parse(fs.readFileSync(path.join(d, MANIFEST), "utf8"));
            mf.zookeeper.ensemble[2].address = "10.0.0.13";
            fs.writeFileSync(path.join(d, MANIFEST), JSON.stringify(mf));
        });
        const refusal = async (dir: string) => {
            const err = await restore("e2e", dir, reach).then(() => undefined, (x: Error) => x);
            expect(err).toBeInstanceOf(RestoreRefused);
            return (err as RestoreRefused).problems;
        };
        expect(await refusal(corrupt)).toEqual(["zookeeper-txnlogs.tar.gz: its sha256 is not the manifest's (corrupt)"]);
        expect(await refusal(partial)).toEqual(["registry-data.tar.gz: missing from the backup folder"]);
        expect(await refusal(cutShort)).toEqual([expect.stringMatching(/^zookeeper-snapshots\.tar\.gz: 100 bytes, the manifest says \d+ \(cut short or replaced\)$/)]);
        expect(await refusal(otherEnsemble)).toEqual([expect.stringMatching(/^zookeeper: the backup's ensemble is .*3=h13@10\.0\.0\.13, the stack's is .*3=h13@127\.0\.0\.13$/)]);
        // The command says it, exit 3.
        const cli = spawnSync("npx", ["ts-node", "-P", "tsconfig.json", "scripts/backup.ts", "restore", "--stack", "e2e", "--from", corrupt, "--identity", keyFile, "--known-hosts", reach.knownHosts], {
            cwd: ROOT,
            encoding: "utf8",
            timeout: 240_000,
        });
        expect({ status: cli.status, stderr: cli.stderr }).toEqual({ status: 3, stderr: "restore refused, nothing was changed:\n  - zookeeper-txnlogs.tar.gz: its sha256 is not the manifest's (corrupt)\n" });
        expect(containers()).toEqual(running);
        for (const h of Object.keys(HOSTS) as HostName[]) {
            expect(onHost(h, `ls ${dataRoots[Number(h.slice(1)) - 11]}/zookeeper/data | grep -c before-restore || true`).stdout).toBe("0");
        }

        // Restored.
        t0 = Date.now();
        const done = await restore("e2e", out, reach);
        figures["restore (s)"] = seconds(t0);
        expect(done).toHaveLength(2);
        await waitFor("a quorum", 90_000, () => quorate(), () => JSON.stringify(modes()));
        const after = await zkTree("dump", { connect: ensemble, paths });
        // Each member's entrypoint sets the protected paths' ACL again when it starts (the same ACL):
        // their ACL version counts those starts; everything else of every node is as it was.
        const protectedPaths = paths;
        const comparable = (p: string, n: DumpedNode | undefined) => (n !== undefined && protectedPaths.includes(p) ? { ...n, aversion: 0 } : n);
        const differing = Object.keys(before).filter((p) => JSON.stringify(comparable(p, after[p])) !== JSON.stringify(comparable(p, before[p])));
        expect({ missingOrChanged: differing.slice(0, 5), count: differing.length }).toEqual({ missingOrChanged: [], count: 0 });
        for (const p of protectedPaths) {
            expect(after[p].aversion).toBeGreaterThanOrEqual(before[p].aversion);
        }
        expect(Object.keys(after).filter((p) => before[p] === undefined)).toEqual([]);
        // One state: the writer's nodes come back as an unbroken run from its first, to one write.
        const written = Object.keys(await zkTree("dump", { connect: ensemble, paths: ["/e2e-backup-writer"] }))
            .filter((p) => p !== "/e2e-backup-writer")
            .map((p) => Number(p.replace(/^.*w-/, "")))
            .sort((a, b) => a - b);
        expect(written.length).toBeGreaterThan(0);
        expect(written.every((n, i) => n === i + 1)).toBe(true);
        expect(written.length).toBeLessThanOrEqual(record.acked + record.failed);
        figures["restore, the writer's nodes back (of acked)"] = `${written.length} of ${record.acked}`;
        // The image: its manifest by digest and every blob it names.
        const got = await fetch(manifestUrl, { headers: { Accept: accept } });
        expect(got.status).toBe(200);
        const image = (await got.json()) as { config: { digest: string }; layers: { digest: string }[] };
        for (const blob of [image.config, ...image.layers]) {
            expect({ blob: blob.digest, status: (await fetch(`http://127.0.0.13:5000/v2/${repo}/blobs/${blob.digest}`, { method: "HEAD" })).status }).toEqual({ blob: blob.digest, status: 200 });
        }
        // Pulled by digest through a host's engine.
        expect(docker(["pull", "-q", `127.0.0.13:5000/${repo}@${digest}`], 300_000).trim()).toBe(`127.0.0.13:5000/${repo}@${digest}`);
        for (const unit of zkUnits) {
            expect(onHost(unit.slice(10, 13) as HostName, `systemctl is-active ${unit}`).stdout).toBe("active");
        }
    }, 900_000);

    writing("ZooKeeper's ACLs: anyone may read the services' paths; only each service's own user may create, change or delete under them", async () => {
        await waitFor("a quorum", 90_000, () => quorate(), () => JSON.stringify(modes()));
        const password = (user: ZooKeeperUser) => plain(e.byName(`mesos-${ZOOKEEPER_USERS[user].secret}`).outputs.result) as string;
        const users = Object.keys(ZOOKEEPER_USERS) as ZooKeeperUser[];
        const seen: Record<string, unknown> = {};
        for (const user of users) {
            const zpath = ZOOKEEPER_USERS[user].path;
            const owner = await probeAcl({ connect: ensemble, path: zpath, auth: `${user}:${password(user)}`, keep: true });
            const anonymous = await probeAcl({ connect: ensemble, path: zpath, victim: owner.child, delete_path: true });
            const other = users.find((u) => u !== user) as ZooKeeperUser;
            const stranger = await probeAcl({ connect: ensemble, path: zpath, auth: `${other}:${password(other)}`, victim: owner.child });
            const cleanup = await probeAcl({ connect: ensemble, path: zpath, auth: `${user}:${password(user)}`, victim: owner.child });
            seen[zpath] = { owner, anonymous, stranger, cleanup };
            expect({ zpath, owner: [owner.read, owner.create, owner.change] }).toEqual({ zpath, owner: ["ok", "ok", "ok"] });
            expect({ zpath, anonymous }).toEqual({
                zpath,
                anonymous: { read: "ok", create: "NoAuthError", change: "NoAuthError", delete: "NoAuthError", delete_path: "NoAuthError", child: null },
            });
            expect({ zpath, stranger: [stranger.read, stranger.create, stranger.change, stranger.delete] }).toEqual({ zpath, stranger: ["ok", "NoAuthError", "NoAuthError", "NoAuthError"] });
            expect({ zpath, cleanup: cleanup.delete }).toEqual({ zpath, cleanup: "ok" });
        }
        figures["ZooKeeper ACLs, what each client could do"] = JSON.stringify(seen);
    }, 240_000);

    writing("nodes left open under /chronos and /bamboo (as their services made them before) get their path's ACL when a member starts again; Marathon's are left as they are", async () => {
        await waitFor("a quorum", 90_000, () => quorate(), () => JSON.stringify(modes()));
        const password = (user: ZooKeeperUser) => plain(e.byName(`mesos-${ZOOKEEPER_USERS[user].secret}`).outputs.result) as string;
        const users: ZooKeeperUser[] = ["chronos", "bamboo", "marathon"];
        // Each owner makes a child with the client's default ACL: open to anyone, as Curator and
        // Bamboo did before their images protected them.
        const open: Partial<Record<ZooKeeperUser, string>> = {};
        for (const user of users) {
            const made = await probeAcl({ connect: ensemble, path: ZOOKEEPER_USERS[user].path, auth: `${user}:${password(user)}`, keep: true });
            open[user] = made.child ?? undefined;
        }
        const aclOf = async (node: string) => (await zkTree("dump", { connect: ensemble, paths: [node] }))[node]?.acl.map(([perms, scheme, id]) => `${scheme}:${scheme === "digest" ? id.split(":")[0] : id}:${perms}`).sort();
        expect(await aclOf(open.bamboo as string)).toEqual(["world:anyone:31"]);
        // What a cluster of the earlier version has: no marker that the nodes below were given
        // their ACL (the members of this one made them when they first started).
        // zkCli's output whatever its status (it exits non-zero when its last command failed, as a
        // stat of a marker not made yet does).
        const asSuper = (h: HostName, commands: string[]) =>
            tryDocker(
                ["exec", `zookeeper-${h}`, "sh", "-c", `{ printf 'addauth digest super:%s\\n' "$(cat /etc/zookeeper/super-password)"; printf '%s\\n' ${commands.map((c) => `'${c}'`).join(" ")} quit; } | /usr/share/zookeeper/bin/zkCli.sh -server ${HOSTS[h]}:2181 2>&1`],
                60_000,
            ).output;
        expect(asSuper("h11", ["stat /mesos-cluster/acl-below-chronos", "stat /mesos-cluster/acl-below-bamboo"]).match(/^cZxid/gm)).toHaveLength(2);
        asSuper("h11", ["delete /mesos-cluster/acl-below-chronos", "delete /mesos-cluster/acl-below-bamboo"]);
        try {
            expect(onHost("h12", "systemctl restart zookeeper-h12.service && systemctl is-active zookeeper-h12.service").stdout.trim()).toBe("active");
            const end = Date.now() + 180_000;
            while ((await aclOf(open.bamboo as string))?.includes("world:anyone:31")) {
                if (Date.now() > end) {
                    throw new Error("the open node under /bamboo still had its open ACL 180 s after zookeeper-h12 restarted");
                }
                await new Promise((r) => setTimeout(r, 1_000));
            }
            for (const user of ["chronos", "bamboo"] as ZooKeeperUser[]) {
                expect({ user, acl: await aclOf(open[user] as string) }).toEqual({ user, acl: [`digest:${user}:31`, "world:anyone:1"] });
            }
            expect(await aclOf(open.marathon as string)).toEqual(["world:anyone:31"]);
            // Marked done again: the next start leaves the nodes' ACL versions alone.
            await waitFor("the markers made again", 60_000, () => (asSuper("h11", ["stat /mesos-cluster/acl-below-chronos", "stat /mesos-cluster/acl-below-bamboo"]).match(/^cZxid/gm)?.length === 2 ? true : undefined));
        } finally {
            for (const user of users) {
                await probeAcl({ connect: ensemble, path: ZOOKEEPER_USERS[user].path, auth: `${user}:${password(user)}`, victim: open[user] });
            }
        }
        await waitFor("a quorum again", 90_000, () => quorate(), () => JSON.stringify(modes()));
    }, 400_000);

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
        // Each create run again by hand (a step Pulumi would not run: nothing changed), as a retry
        // after a lost connection would: the script itself must see that nothing is to be done.
        const again = commands.filter((c) => c.name.startsWith("mesos-zookeeper-"));
        for (const r of await Promise.all(again.map((c) => sshAsync(c, plain(c.inputs.create), plain(c.inputs.stdin))))) {
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
        const before = await waitFor("the container the failing run started", 60_000, () => {
            const r = tryDocker(["inspect", "--format", "{{.Id}}", "zookeeper-h11"]);
            return r.status === 0 ? r.output.trim() : undefined;
        });
        // Started by the run's own restart, not by systemd again after a failed start (one that
        // found the stopped container's name still taken: the unit's ExecStartPre waits for it).
        expect(automaticRestarts(["h11"])).toEqual(noAutomaticRestarts(["h11"]));
        // The next run is asked for the state it never reached: it restarts, waits, records.
        const second = ssh(c, create, stdin);
        expect({ status: second.status, stdout: second.stdout }).toEqual({ status: 0, stdout: expect.stringMatching(/zookeeper-h11\.service: active, ready after \d+s \(changed=1\)/) });
        expect(docker(["inspect", "--format", "{{.Id}}", "zookeeper-h11"]).trim()).not.toBe(before);
        expect(automaticRestarts(["h11"])).toEqual(noAutomaticRestarts(["h11"]));
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


    /** `srvr`'s mode of a member, without blocking the event loop (the sampler runs beside the steps). */
    const srvrAsync = (address: string) =>
        runAsync("nc", ["-w", "1", address, "2181"], { stdin: "srvr\n", deadlineMs: 3_000 }).then((r) => /^Mode: (\w+)$/m.exec(r.stdout)?.[1]);

    /**
     * Samples the members every 200 ms until stopped: the longest time during which no leader had
     * a majority of `members` following it (as far as `srvr` shows).
     */
    function quorumSampler(members: () => readonly string[]): { stop: () => Promise<number> } {
        let running = true;
        let longest = 0;
        const loop = (async () => {
            let lostSince: number | undefined;
            while (running) {
                const list = members();
                const seen = await Promise.all(list.map(srvrAsync));
                const now = Date.now();
                const quorum = seen.includes("leader") && seen.filter((m) => m === "leader" || m === "follower").length > list.length / 2;
                if (!quorum) {
                    lostSince ??= now;
                    longest = Math.max(longest, now - lostSince);
                } else {
                    lostSince = undefined;
                }
                await sleep(200);
            }
        })();
        return {
            stop: async () => {
                running = false;
                await loop;
                return longest / 1000;
            },
        };
    }

    /**
     * Runs `change` while a client writes to the ensemble and a sampler watches its quorum
     * (over `members`, which may grow); both are stopped whatever happens.
     */
    async function whileWriting<T>(znode: string, change: () => Promise<T>, members: () => readonly string[] = () => Object.values(HOSTS)): Promise<{ value: T; record: WriteRecord; noQuorum: number }> {
        await waitFor("a quorum", 90_000, () => quorate(), () => JSON.stringify(modes()));
        const writer = startWriter(ensemble, znode);
        const sampler = quorumSampler(members);
        let value: T | undefined;
        let record: WriteRecord | undefined;
        let noQuorum = 0;
        try {
            await sleep(1500);
            value = await change();
            await sleep(1500);
        } finally {
            noQuorum = await sampler.stop();
            record = await writer.stop();
        }
        return { value: value as T, record, noQuorum };
    }

    writing("a rolling change of the ZooKeeper tier: the members restart one at a time, in the engine's order, while a client writes; no write is lost", async () => {
        const changedConfig = { ...config, "mesos-cluster:zookeeperHeapMb": "384" };
        const preview = await evaluate(changedConfig, "e2e", secretKeys(), { imageDigests: digests });
        // What the change touches: the three members' units, nothing else.
        const touched = preview.resources.filter((r) => {
            const old = e.resources.find((o) => o.urn === r.urn);
            return old === undefined || changed(old, r);
        });
        expect(touched.map((r) => r.name).sort()).toEqual(["mesos-zookeeper-h11-unit", "mesos-zookeeper-h12-unit", "mesos-zookeeper-h13-unit"]);
        const before = zookeeperIds(Object.keys(HOSTS));
        const { value, record, noQuorum } = await whileWriting("/e2e-roll", () => up(e.resources, changedConfig));
        const zk = zookeeperSteps(value.runs);
        expect(zk.map((r) => [r.host, r.kind, r.result.ok])).toEqual([
            ["h11", "update", true],
            ["h12", "update", true],
            ["h13", "update", true],
        ]);
        expect(oneAtATime(zk)).toBe(true);
        // Each member restarted: a new container, started within its own step.
        const after = zookeeperIds(Object.keys(HOSTS));
        for (const r of zk) {
            expect(after[r.host]).not.toBe(before[r.host]);
            const started = Date.parse(docker(["inspect", "--format", "{{.State.StartedAt}}", `zookeeper-${r.host}`]).trim());
            expect(started >= r.start - 1000 && started <= r.end).toBe(true);
        }
        // Restarted by its create step, once: none had to be started again by systemd.
        expect(automaticRestarts(Object.keys(HOSTS))).toEqual(noAutomaticRestarts(Object.keys(HOSTS)));
        expect({ lost: record.lost, acked: record.acked > 100 }).toEqual({ lost: 0, acked: true });
        figures["rolling change, per member (s)"] = zk.map((r) => `${r.host} ${r.seconds.toFixed(1)}`).join(", ");
        figures["rolling change, whole roll (s)"] = ((zk[zk.length - 1].end - zk[0].start) / 1000).toFixed(1);
        figures["rolling change, longest gap between writes (s)"] = String(record.gap_s);
        figures["rolling change, gaps over 0.2 s"] = gapsDuring(record, value.runs);
        figures["rolling change, longest time without a quorum, sampled every 0.2 s (s)"] = noQuorum.toFixed(1);
        figures["rolling change, writes acked/failed/lost"] = `${record.acked}/${record.failed}/${record.lost}`;
        e = value.next;
        commands = e.ofType("command:remote:Command");
        expect(zkCli("h12", "get /e2e-probe")).toContain("written-on-h11");
    }, 600_000);

    writing("a change that breaks the first member stops the roll there: the others are untouched and the ensemble serves", async () => {
        const changedConfig = { ...config, "mesos-cluster:zookeeperHeapMb": "320", "mesos-cluster:readinessTimeoutSeconds": "20" };
        const good = await evaluate(changedConfig, "e2e", secretKeys(), { imageDigests: digests });
        const before = zookeeperIds(Object.keys(HOSTS));
        // The first member's change is broken: its unit is given another member's id, which its
        // entrypoint refuses (it would join with the wrong data).
        const breakFirst = (r: Registered, stdin: string) => {
            if (r.name !== "mesos-zookeeper-h11-unit") {
                return stdin;
            }
            const files = [...bundleFiles(stdin).entries()].map(([p, f]) => ({ path: p, ...f, content: p.endsWith(".env") ? f.content.replace("ZOO_MY_ID=1\n", "ZOO_MY_ID=2\n") : f.content }));
            expect(files.some((f) => f.content.includes("ZOO_MY_ID=2\n"))).toBe(true);
            return bundle(files);
        };
        const t0 = Date.now();
        const { value, record, noQuorum } = await whileWriting("/e2e-broken", async () => {
            const runs = await deploy({
                before: e.resources,
                after: good.resources,
                run: (r, kind) =>
                    r.type !== "command:remote:Command"
                        ? undefined
                        : sshAsync(r, plain(kind === "update" ? (r.inputs.update ?? r.inputs.create) : r.inputs.create), breakFirst(r, plain(r.inputs.stdin))).then((out) => ({ ok: out.status === 0, detail: `${out.stdout}${out.stderr}` })),
                remove: () => undefined,
            });
            // The ensemble serves without the broken member: a leader among the other two, writes land.
            await waitFor("a leader among h12 and h13", 60_000, () => ([srvr(HOSTS.h12), srvr(HOSTS.h13)].includes("leader") ? true : undefined));
            return runs;
        });
        figures["broken first member, failure reported after (s)"] = seconds(t0);
        const after = zookeeperIds(["h12", "h13"]);
        // The next `pulumi up`, with the change mended (and the usual readiness deadline), finishes
        // the roll from where it stopped (before the checks, so that a failed check leaves the
        // ensemble whole for what follows).
        const mended = await up(e.resources, { ...config, "mesos-cluster:zookeeperHeapMb": "320" });
        e = mended.next;
        commands = e.ofType("command:remote:Command");
        await waitFor("a quorum", 90_000, () => quorate(), () => JSON.stringify(modes()));

        const zk = zookeeperSteps(value);
        expect(zk.map((r) => [r.host, r.result.ok])).toEqual([["h11", false]]);
        expect(zk[0].result.detail).toMatch(/zookeeper-h11\.service is not ready after 20s \(its health check: zookeeper-entrypoint health\); its last log lines:/);
        expect(zk[0].result.detail).toMatch(/myid holds 1 but ZOO_MY_ID is 2; refusing to start with another member's data/);
        // Nothing that waits for it ran (the registry, in the tier below, changed too: the
        // readiness timeout is in every unit's command): the other members kept their containers.
        expect(value.map((r) => r.name).sort()).toEqual(["mesos-registry-h13-unit", "mesos-zookeeper-h11-unit"]);
        expect(after).toEqual({ h12: before.h12, h13: before.h13 });
        expect({ lost: record.lost, acked: record.acked > 50 }).toEqual({ lost: 0, acked: true });
        figures["broken first member, writes acked/failed/lost, longest gap (s)"] = `${record.acked}/${record.failed}/${record.lost}, ${record.gap_s}`;
        figures["broken first member, longest time without a quorum (s)"] = noQuorum.toFixed(1);
        expect(zookeeperSteps(mended.runs).map((r) => [r.host, r.result.ok ? "ok" : r.result.detail])).toEqual([
            ["h11", "ok"],
            ["h12", "ok"],
            ["h13", "ok"],
        ]);
        figures["broken first member, then mended, per member (s)"] = zookeeperSteps(mended.runs).map((r) => `${r.host} ${r.seconds.toFixed(1)}`).join(", ");
    }, 900_000);

    writing("the masters grown from three to five and back: ZooKeeper by reconfiguration, in the engine's order, while a client writes; nothing lost", async () => {
        for (const [h, a] of Object.entries(GROWTH) as [keyof typeof GROWTH, string][]) {
            sh("bash", [HOST_SCRIPT, "start", container(h), a, `/var/tmp/mesos-cluster-e2e/${h}`, `${keyFile}.pub`], 180_000);
            await waitFor(`sshd on ${h}`, 60_000, () => (onHost(h, "true").status === 0 ? true : undefined));
        }
        const five = { ...config, "mesos-cluster:masters": JSON.stringify([...Object.entries(HOSTS), ...Object.entries(GROWTH)].map(([h, a]) => `${h}=${a}`)) };
        const joins = { from: 0, to: 0 };
        // The quorum is over the members the ensemble has at the time (h11 reports them).
        const current = () => membership(HOSTS.h11).split(",").filter((id) => id !== "").map((id) => Object.values(ALL_HOSTS)[Number(id) - 1] ?? "");
        const { value, record, noQuorum } = await whileWriting("/e2e-growth", async () => {
            const grown = await up(e.resources, five, imageMissingHere);
            const zk = zookeeperSteps(grown.runs);
            joins.from = zk.find((r) => r.host === "h14")?.start ?? 0;
            joins.to = zk.find((r) => r.host === "h15")?.end ?? 0;
            await waitFor("five members in the ensemble", 60_000, () => (membership(HOSTS.h11) === "1,2,3,4,5" ? true : undefined), () => membership(HOSTS.h11));
            await waitFor("one leader and four followers", 90_000, () => quorate(ALL_HOSTS), () => JSON.stringify(modes(ALL_HOSTS)));
            const shrunk = await up(grown.next.resources, config, imageMissingHere);
            await waitFor("three members in the ensemble", 60_000, () => (membership(HOSTS.h11) === "1,2,3" ? true : undefined), () => membership(HOSTS.h11));
            return { grown, shrunk };
        }, () => {
            const now = current();
            return now.length > 0 ? now : Object.values(HOSTS);
        });
        const growth = zookeeperSteps(value.grown.runs);
        // The existing members first (given the five), then each new member joins, one at a time.
        expect(growth.map((r) => [r.host, r.kind, r.result.ok])).toEqual([
            ["h11", "update", true],
            ["h12", "update", true],
            ["h13", "update", true],
            ["h14", "create", true],
            ["h15", "create", true],
        ]);
        expect(oneAtATime(growth)).toBe(true);
        // Shrinking: the three roll (the first removes h14 and h15 from the ensemble), then the
        // removed members' units are deleted, after every other step.
        const shrink = zookeeperSteps(value.shrunk.runs);
        expect(shrink.slice(0, 3).map((r) => [r.host, r.kind, r.result.ok])).toEqual([
            ["h11", "update", true],
            ["h12", "update", true],
            ["h13", "update", true],
        ]);
        expect(shrink.slice(3).map((r) => [r.host, r.kind, r.result.ok]).sort()).toEqual([
            ["h14", "delete", true],
            ["h15", "delete", true],
        ]);
        expect(Math.min(...shrink.slice(3).map((r) => r.start))).toBeGreaterThanOrEqual(Math.max(...shrink.slice(0, 3).map((r) => r.end)));
        expect(tryDocker(["inspect", "zookeeper-h14"]).status).not.toBe(0);
        expect({ lost: record.lost, acked: record.acked > 100 }).toEqual({ lost: 0, acked: true });
        figures["3 -> 5, per member (s)"] = growth.map((r) => `${r.host} ${r.kind} ${r.seconds.toFixed(1)}`).join(", ");
        figures["5 -> 3, per member (s)"] = shrink.map((r) => `${r.host} ${r.kind} ${r.seconds.toFixed(1)}`).join(", ");
        figures["3 -> 5 -> 3, writes acked/failed/lost"] = `${record.acked}/${record.failed}/${record.lost}`;
        figures["3 -> 5 -> 3, longest gap between writes (s)"] = String(record.gap_s);
        figures["3 -> 5 -> 3, gaps over 0.2 s"] = gapsDuring(record, [...value.grown.runs, ...value.shrunk.runs]);
        figures["3 -> 5 -> 3, longest time without a quorum, sampled every 0.2 s (s)"] = noQuorum.toFixed(1);
        figures["3 -> 5, longest gap while h14 and h15 joined (s)"] = String(longestGapWithin(record, joins.from, joins.to));
        e = value.shrunk.next;
        commands = e.ofType("command:remote:Command");
        await waitFor("a quorum of the three", 90_000, () => quorate(), () => JSON.stringify(modes()));
    }, 900_000);

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

