import { spawn, spawnSync } from "child_process";
import * as path from "path";
import { runAsync } from "../processes";

/** What the writer saw: acknowledged and failed writes, acknowledged writes missing afterwards, the longest time between two acknowledged writes. */
export interface WriteRecord {
    readonly acked: number;
    readonly failed: number;
    readonly lost: number;
    readonly gap_s: number;
    /** When the longest gap began (epoch seconds). */
    readonly gap_at: number;
    /** Every gap over 0.2 s: [began (epoch seconds), seconds]. */
    readonly gaps: readonly (readonly [number, number])[];
    readonly per_s: number;
}

/** The longest gap between acknowledged writes that began between `from` and `to` (ms since the epoch), in seconds. */
export function longestGapWithin(r: WriteRecord, from: number, to: number): number {
    return Math.max(0, ...r.gaps.filter(([at]) => at * 1000 >= from && at * 1000 <= to).map(([, s]) => s));
}

const PYTHON = "/usr/bin/python3";
const SCRIPT = path.join(__dirname, "zk_writer.py");

/**
 * Whether Debian's python3 with kazoo is here. Without it the tests that write through a change
 * are skipped, unless REQUIRE_TOOLS=1 (as in CI), where they fail.
 */
export function kazooAvailable(): boolean {
    const ok = spawnSync(PYTHON, ["-c", "import kazoo"], { timeout: 20_000 }).status === 0;
    if (!ok && process.env.REQUIRE_TOOLS === "1") {
        throw new Error("REQUIRE_TOOLS=1 but /usr/bin/python3 cannot import kazoo; apt-get install python3-kazoo");
    }
    if (!ok) {
        console.warn("python3-kazoo not found: skipping the tests that write through a change (apt-get install python3-kazoo).");
    }
    return ok;
}

/** A writer creating a znode under `znode` every 20 ms through `connect`, until `stop`. */
export function startWriter(connect: string, znode: string): { stop: (deadlineMs?: number) => Promise<WriteRecord> } {
    const child = spawn(PYTHON, [SCRIPT, connect, znode], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const done = new Promise<number | null>((resolve) => child.on("close", resolve));
    return {
        stop: async (deadlineMs = 60_000) => {
            child.stdin.end();
            const timer = setTimeout(() => child.kill("SIGKILL"), deadlineMs);
            const status = await done;
            clearTimeout(timer);
            const line = out.trim().split("\n").pop() ?? "";
            if (status !== 0 || !line.startsWith("{")) {
                throw new Error(`the ZooKeeper writer ended with ${status}: ${err.split("\n").slice(-10).join("\n")}`);
            }
            return JSON.parse(line) as WriteRecord;
        },
    };
}

/** What one client may do under a path (test/tools/zk_acl_probe.py): each step "ok" or the error's name. */
export interface AclProbe {
    readonly read: string;
    readonly create: string;
    readonly change: string;
    readonly delete?: string;
    readonly delete_path?: string;
    /** The child it made and kept ("keep"). */
    readonly child: string | null;
}

/** Runs the ACL probe as `auth` ("user:password", or anonymous without), its question on stdin. */
export async function probeAcl(ask: { connect: string; path: string; auth?: string; keep?: boolean; victim?: string | null; delete_path?: boolean }): Promise<AclProbe> {
    const { status, stdout, stderr } = await runAsync(PYTHON, [path.join(__dirname, "zk_acl_probe.py")], { stdin: JSON.stringify(ask), deadlineMs: 60_000 });
    const line = stdout.trim().split("\n").pop() ?? "";
    if (status !== 0 || !line.startsWith("{")) {
        throw new Error(`the ACL probe ended with ${status}: ${stderr.split("\n").slice(-10).join("\n")}`);
    }
    return JSON.parse(line) as AclProbe;
}

/** A node as test/tools/zk_tree.py dumps it. */
export interface DumpedNode {
    /** Base64; null for a node without data. */
    readonly data: string | null;
    readonly acl: readonly (readonly [number, string, string])[];
    readonly version: number;
    readonly cversion: number;
    readonly aversion: number;
    readonly czxid: number;
    readonly mzxid: number;
    readonly ephemeralOwner: number;
}

/** Runs test/tools/zk_tree.py: `fill` paths with nodes, or `dump` every node under paths. */
export async function zkTree(kind: "fill", q: { connect: string; owners: Record<string, string>; under: string; count: number }): Promise<{ made: number }>;
export async function zkTree(kind: "dump", q: { connect: string; paths: readonly string[] }): Promise<Record<string, DumpedNode>>;
export async function zkTree(kind: "fill" | "dump", q: object): Promise<unknown> {
    const { status, stdout, stderr } = await runAsync(PYTHON, [path.join(__dirname, "zk_tree.py"), kind], { stdin: JSON.stringify(q), deadlineMs: 300_000 });
    const line = stdout.trim().split("\n").pop() ?? "";
    if (status !== 0 || !line.startsWith("{")) {
        throw new Error(`zk_tree.py ${kind} ended with ${status}: ${stderr.split("\n").slice(-10).join("\n")}`);
    }
    return JSON.parse(line);
}
