/**
 * npm run backup  -- --stack NAME --out DIR  [--identity KEYFILE] [--known-hosts FILE]
 * npm run restore -- --stack NAME --from DIR [--identity KEYFILE] [--known-hosts FILE]
 *
 * Backup, with the cluster serving: ZooKeeper's snapshots and transaction logs from one member
 * (a follower when one serves), which ZooKeeper replays on load to one state, the last complete
 * transaction copied; and the registry's storage. Each part a gzipped tar, 0600, in a 0700
 * folder, with a manifest (what, from which host and folder, when, sizes, sha256).
 *
 * Restore: checks the whole backup against the stack first (ensemble, versions, every part's
 * size and sha256) and refuses, touching nothing, with every problem named; then stops every
 * ZooKeeper member, moves each member's data aside (kept, `version-2.before-restore-TIME`), puts
 * the backup's in its place, starts them and waits for a quorum; then the same for the registry.
 *
 * Hosts are reached as the deploy reaches them (sshUser, sshPort, `sudo -n` unless root); the key
 * is --identity or ssh's own (the stack's sshPrivateKey is a secret only the engine decrypts).
 * Docs: docs/operations/backup.md.
 */
import { spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { FORMAT, Found, MANIFEST, Manifest, Member, Part, REGISTRY_PART, StackFacts, ZOOKEEPER_PARTS, pickMember, problemsOf, zxidOf } from "../components/backup/manifest";
import { stackTopology } from "../components/composition";
import { ConfigError } from "../components/config";
import { sshArgs } from "./ssh";
import { unitName } from "../components/runtimes/systemdUnit";
import { clusterSpecs } from "../components/services";
import { ServiceSpec } from "../components/spec";
import { readStackConfig, stackNames } from "./stackFile";

const ROOT = path.resolve(__dirname, "..");

export interface Reach {
    readonly identity?: string;
    readonly knownHosts?: string;
    /** Seconds a restore waits for ZooKeeper's quorum and the registry. */
    readonly readySeconds?: number;
}

/** A stack's ZooKeeper members and registry, with the folders a backup reads. */
interface Layout {
    readonly stack: string;
    readonly user: string;
    readonly port: number;
    readonly members: readonly { spec: ServiceSpec; member: Member; data: string; datalog: string; clientPort: number }[];
    readonly registry?: { spec: ServiceSpec; data: string; address: string };
    readonly facts: StackFacts;
}

/** A data volume's host folder by its name (`<dataRoot>/<service>/<name>`, components/services/common.ts). */
function volume(spec: ServiceSpec, name: string): string {
    const v = spec.volumes.find((x) => path.posix.basename(x.host) === name);
    if (v === undefined) {
        throw new Error(`${spec.containerName}: no data volume "${name}"`);
    }
    return v.host;
}

function layoutOf(stack: string): Layout {
    const { values, secure } = readStackConfig(ROOT, stack);
    if (values["mesos-cluster:runtime"] !== "systemd") {
        throw new Error(`stack ${stack} runs on the docker runtime; backup and restore read systemd hosts (docs/operations/backup.md)`);
    }
    const t = stackTopology(values, { requireSecrets: false, secretKeys: new Set(secure) });
    const specs = clusterSpecs(t);
    const members = t.ensemble.map((z) => {
        const spec = specs.find((s) => s.service === "zookeeper" && s.host.name === z.host.name) as ServiceSpec;
        return { spec, member: { id: z.id, host: z.host.name, address: z.host.address }, data: volume(spec, "data"), datalog: volume(spec, "datalog"), clientPort: 2181 };
    });
    const reg = specs.find((s) => s.service === "registry");
    const registry = reg === undefined || t.registry === undefined ? undefined : { spec: reg, data: volume(reg, "data"), address: t.registry.address };
    return {
        stack,
        user: values["mesos-cluster:sshUser"],
        port: Number(values["mesos-cluster:sshPort"]),
        members,
        registry,
        facts: {
            zookeeper: { version: members[0].spec.image.tag, ensemble: members.map((m) => m.member) },
            registry: registry === undefined ? undefined : { version: registry.spec.image.tag, host: registry.spec.host.name, address: registry.address },
        },
    };
}

/**
 * Runs `script` as root on a host with `args`, stdin from `input` (a file) or nothing, stdout to
 * `output` (a file, created 0600) or returned. Fails with ssh's or the script's last words.
 */
function onHost(l: Layout, address: string, r: Reach, script: string, args: readonly string[], io: { input?: string; output?: string; timeoutMs?: number } = {}): Promise<string> {
    const ssh = sshArgs({ user: l.user, port: l.port, address }, r, "backup", script, args);
    return new Promise((resolve, reject) => {
        const out = io.output === undefined ? undefined : fs.openSync(io.output, "w", 0o600);
        const child = spawn("ssh", ssh, { stdio: [io.input === undefined ? "ignore" : fs.openSync(io.input, "r"), out ?? "pipe", "pipe"] });
        let text = "";
        let err = "";
        child.stdout?.on("data", (d) => (text += d));
        child.stderr?.on("data", (d) => (err += d));
        const timer = setTimeout(() => child.kill("SIGKILL"), io.timeoutMs ?? 30 * 60_000);
        child.on("error", reject);
        child.on("close", (status) => {
            clearTimeout(timer);
            if (out !== undefined) {
                fs.closeSync(out);
            }
            if (status === 0) {
                resolve(text);
            } else {
                reject(new Error(`${address}: ${err.trim().split("\n").slice(-4).join(" ") || `ended with ${status}`}`));
            }
        });
    });
}

/** ZooKeeper's `srvr` answer from a member ("" when it does not answer). */
function srvr(address: string, port: number, timeoutMs = 5000): Promise<string> {
    return new Promise((resolve) => {
        const socket = net.connect({ host: address, port });
        let data = "";
        socket.setTimeout(timeoutMs, () => socket.destroy());
        socket.on("connect", () => socket.end("srvr\n"));
        socket.on("data", (c) => (data += c.toString()));
        socket.on("error", () => resolve(""));
        socket.on("close", () => resolve(data));
    });
}
const modeOf = (s: string) => /^Mode: (\w+)$/m.exec(s)?.[1];

function sha256File(file: string): Promise<string> {
    return new Promise((resolve, reject) => {
        const h = crypto.createHash("sha256");
        fs.createReadStream(file)
            .on("data", (d) => h.update(d))
            .on("error", reject)
            .on("end", () => resolve(h.digest("hex")));
    });
}

/** Folder $1/$2 as a gzipped tar of `$2/…` on stdout, owners numeric. GNU tar exits 1 for a file that changed while read: expected while serving. */
const TAR_OUT = `cd "$1" && { tar --numeric-owner --warning=no-file-changed -czf - "$2"; s=$?; [ $s -le 1 ] || exit $s; }`;

/** Takes a backup of the stack into `out` (created, or empty); returns its manifest. */
export async function backup(stack: string, out: string, r: Reach = {}): Promise<Manifest> {
    const l = layoutOf(stack);
    if (fs.existsSync(out) && fs.readdirSync(out).length > 0) {
        throw new Error(`${out} is not empty; a backup goes into a new folder`);
    }
    fs.mkdirSync(out, { recursive: true, mode: 0o700 });
    fs.chmodSync(out, 0o700);
    const started = new Date().toISOString();
    const parts: Part[] = [];
    const take = async (host: string, address: string, folder: string, sub: string, name: string, what: string) => {
        const file = path.join(out, name);
        await onHost(l, address, r, TAR_OUT, [folder, sub], { output: file });
        parts.push({ name, what, host, source: path.posix.join(folder, sub), bytes: fs.statSync(file).size, sha256: await sha256File(file), secret: true });
    };

    const seen = await Promise.all(l.members.map(async (m) => ({ ...m, mode: modeOf(await srvr(m.member.address, m.clientPort)) })));
    const from = pickMember(seen);
    if (from === undefined) {
        throw new Error(`no ZooKeeper member of stack ${stack} serves (srvr on ${l.members.map((m) => `${m.member.address}:${m.clientPort}`).join(", ")}); a backup reads a serving member`);
    }
    const before = zxidOf(await srvr(from.member.address, from.clientPort));
    // Snapshots first, then the logs: the logs copied after a snapshot hold every transaction since it.
    await take(from.member.host, from.member.address, from.data, "version-2", ZOOKEEPER_PARTS[0], "ZooKeeper's snapshots (dataDir/version-2)");
    await take(from.member.host, from.member.address, from.datalog, "version-2", ZOOKEEPER_PARTS[1], "ZooKeeper's transaction logs (dataLogDir/version-2)");
    const after = zxidOf(await srvr(from.member.address, from.clientPort));
    const hex = (z: bigint | undefined) => (z === undefined ? "unknown" : `0x${z.toString(16)}`);
    if (l.registry !== undefined) {
        const reg = l.registry;
        await take(reg.spec.host.name, reg.spec.host.address, path.posix.dirname(reg.data), path.posix.basename(reg.data), REGISTRY_PART, "the registry's storage (blobs, manifests, tags)");
    }
    const manifest: Manifest = {
        format: FORMAT,
        stack,
        started,
        finished: new Date().toISOString(),
        zookeeper: {
            version: l.facts.zookeeper.version,
            ensemble: l.facts.zookeeper.ensemble,
            from: from.member.host,
            zxidBefore: hex(before),
            zxidAfter: hex(after),
            consistency: `one state: ZooKeeper loads the newest snapshot and replays the logs to the last complete transaction copied, a zxid between ${hex(before)} and ${hex(after)} (the member's last zxid before and after the copy); a transaction cut short at the end of a log is dropped on load`,
        },
        registry: l.facts.registry,
        parts,
        protection:
            "every part is 0600 in a 0700 folder: ZooKeeper's data holds the services' ACL digests and the frameworks' state (apps' and jobs' definitions, which may carry credentials); keep the folder as you keep the stack's secrets",
        notCovered: [
            "the Mesos masters' replicated log (the registry of agents and frameworks): not read; see docs/operations/backup.md",
            "the hosts' units and files: the program writes them (pulumi up)",
            "the stack's secrets: in Pulumi's state",
        ],
    };
    fs.writeFileSync(path.join(out, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
    return manifest;
}

/** What a backup folder holds of the manifest's parts. */
async function foundParts(from: string, manifest: unknown): Promise<Record<string, Found>> {
    const parts = ((manifest as Partial<Manifest> | undefined)?.parts ?? []) as Part[];
    const found: Record<string, Found> = {};
    for (const p of Array.isArray(parts) ? parts : []) {
        const file = path.join(from, path.basename(String(p.name)));
        found[p.name] = fs.existsSync(file) ? { bytes: fs.statSync(file).size, sha256: await sha256File(file) } : undefined;
    }
    return found;
}

/** Refused restores: every reason, each naming the part or fact, and that nothing was touched. */
export class RestoreRefused extends Error {
    constructor(readonly problems: readonly string[]) {
        super(`restore refused, nothing was changed:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    }
}

/** Moves folder $1/$2 aside (kept, `$2.before-restore-$3`) and unpacks the archive of it on stdin in its place. */
const PUT_BACK = `set -eu
cd "$1"
if [ -e "$2" ]; then mv "$2" "$2.before-restore-$3"; fi
tar --numeric-owner -xzf -
test -d "$2"`;

/** Restores the backup in `from` into the stack, or refuses with RestoreRefused, touching nothing. */
export async function restore(stack: string, from: string, r: Reach = {}): Promise<string[]> {
    const l = layoutOf(stack);
    let manifest: unknown;
    try {
        manifest = JSON.parse(fs.readFileSync(path.join(from, MANIFEST), "utf8"));
    } catch {
        manifest = undefined;
    }
    const problems = problemsOf(manifest, await foundParts(from, manifest), l.facts);
    // Every host must answer before anything stops.
    const hosts = new Map([...l.members.map((m) => [m.member.host, m.member.address] as const), ...(l.registry ? [[l.registry.spec.host.name, l.registry.spec.host.address] as const] : [])]);
    for (const [host, address] of hosts) {
        await onHost(l, address, r, "true", [], { timeoutMs: 60_000 }).catch((e: Error) => problems.push(`${host}: cannot be reached (${e.message})`));
    }
    if (problems.length > 0) {
        throw new RestoreRefused(problems);
    }
    const m = manifest as Manifest;
    const done: string[] = [];
    const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\..*$/, "");
    const part = (name: string) => path.join(from, name);
    const systemctl = (address: string, verb: string, unit: string) => onHost(l, address, r, `systemctl ${verb} "$1"`, [unit], { timeoutMs: 180_000 });

    // ZooKeeper: every member down at once (members with different histories must never form a quorum), then each given the backup's files.
    await Promise.all(l.members.map((x) => systemctl(x.member.address, "stop", unitName(x.spec))));
    await Promise.all(
        l.members.map(async (x) => {
            await onHost(l, x.member.address, r, PUT_BACK, [x.data, "version-2", stamp], { input: part(ZOOKEEPER_PARTS[0]) });
            await onHost(l, x.member.address, r, PUT_BACK, [x.datalog, "version-2", stamp], { input: part(ZOOKEEPER_PARTS[1]) });
        }),
    );
    await Promise.all(l.members.map((x) => systemctl(x.member.address, "start", unitName(x.spec))));
    const deadline = Date.now() + (r.readySeconds ?? 300) * 1000;
    for (;;) {
        const modes = await Promise.all(l.members.map((x) => srvr(x.member.address, x.clientPort, 2000).then(modeOf)));
        if (modes.filter((x) => x === "leader").length === 1 && modes.filter((x) => x === "follower").length === modes.length - 1) {
            break;
        }
        if (modes.length === 1 && modes[0] === "standalone") {
            break;
        }
        if (Date.now() > deadline) {
            throw new Error(`zookeeper: restored, but no quorum within ${r.readySeconds ?? 300}s (modes: ${modes.map(String).join(", ")}); the data that was there is kept beside it as version-2.before-restore-${stamp}`);
        }
        await new Promise((res) => setTimeout(res, 1000));
    }
    done.push(`zookeeper: ${l.members.length} members restored from ${m.zookeeper?.from} (${m.zookeeper?.zxidBefore}..${m.zookeeper?.zxidAfter}) and in a quorum; the data that was there is kept as version-2.before-restore-${stamp}`);

    if (m.registry !== undefined && l.registry !== undefined) {
        const reg = l.registry;
        const address = reg.spec.host.address;
        await systemctl(address, "stop", unitName(reg.spec));
        await onHost(l, address, r, PUT_BACK, [path.posix.dirname(reg.data), path.posix.basename(reg.data), stamp], { input: part(REGISTRY_PART) });
        await systemctl(address, "start", unitName(reg.spec));
        done.push(`registry: ${reg.spec.host.name}'s storage restored; what was there is kept as ${path.posix.basename(reg.data)}.before-restore-${stamp}`);
    }
    return done;
}

function parseArgs(command: "backup" | "restore", argv: readonly string[]): { stack: string; dir: string; reach: Reach } {
    const dirFlag = command === "backup" ? "--out" : "--from";
    const usage = (message: string): never => {
        console.error(`${command}: ${message}\nusage: npm run ${command} -- --stack NAME ${dirFlag} DIR [--identity KEYFILE] [--known-hosts FILE]   (stacks: ${stackNames(ROOT).join(", ")})`);
        process.exit(2);
    };
    const args: Record<string, string> = {};
    for (let i = 0; i < argv.length; i += 2) {
        const [flag, value] = [argv[i], argv[i + 1]];
        if (!["--stack", dirFlag, "--identity", "--known-hosts"].includes(flag) || value === undefined || value.startsWith("--")) {
            usage(`unexpected argument "${flag}"`);
        }
        args[flag.slice(2)] = value;
    }
    if (!args.stack || !args[dirFlag.slice(2)]) {
        usage(`--stack and ${dirFlag} are required`);
    }
    return { stack: args.stack, dir: path.resolve(args[dirFlag.slice(2)]), reach: { identity: args.identity, knownHosts: args["known-hosts"] } };
}

if (require.main === module) {
    const command = process.argv[2] === "restore" ? "restore" : "backup";
    const { stack, dir, reach } = parseArgs(command, process.argv.slice(3));
    const t0 = Date.now();
    const run =
        command === "backup"
            ? backup(stack, dir, reach).then((m) => [
                  ...m.parts.map((p) => `${p.name}: ${p.bytes} bytes from ${p.host}:${p.source}, sha256 ${p.sha256}`),
                  `zookeeper: ${m.zookeeper?.consistency}`,
                  `backup: ${dir} in ${((Date.now() - t0) / 1000).toFixed(1)}s (0600 parts, ${MANIFEST})`,
              ])
            : restore(stack, dir, reach).then((done) => [...done, `restore: done in ${((Date.now() - t0) / 1000).toFixed(1)}s`]);
    run.then(
        (lines) => {
            console.log(lines.join("\n"));
        },
        (e) => {
            console.error(e instanceof ConfigError || e instanceof RestoreRefused ? e.message : `${command}: ${(e as Error).message}`);
            process.exit(e instanceof RestoreRefused ? 3 : 1);
        },
    );
}
