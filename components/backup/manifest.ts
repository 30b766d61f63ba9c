/**
 * A backup's manifest, and whether a backup fits a stack. Pure: scripts/backup.ts reads and
 * writes the files and the hosts; this module says what a backup holds and why one is refused.
 */

export const MANIFEST = "manifest.json";
export const FORMAT = 1;

/** One file of a backup. */
export interface Part {
    /** File name inside the backup folder. */
    readonly name: string;
    /** What it holds, for a reader. */
    readonly what: string;
    /** The host it was read from. */
    readonly host: string;
    /** The folder on that host it is an archive of. */
    readonly source: string;
    readonly bytes: number;
    readonly sha256: string;
    /** Kept 0600: it may hold secrets. */
    readonly secret: boolean;
}

/** A ZooKeeper member, as the ensemble knows it. */
export interface Member {
    readonly id: number;
    readonly host: string;
    readonly address: string;
}

export interface Manifest {
    readonly format: typeof FORMAT;
    readonly stack: string;
    /** ISO time the backup began and ended. */
    readonly started: string;
    readonly finished: string;
    readonly zookeeper?: {
        readonly version: string;
        readonly ensemble: readonly Member[];
        /** The member whose files were copied. */
        readonly from: string;
        /** The member's last zxid (`srvr`) just before the copy and just after it. */
        readonly zxidBefore: string;
        readonly zxidAfter: string;
        readonly consistency: string;
    };
    readonly registry?: { readonly version: string; readonly host: string; readonly address: string };
    readonly parts: readonly Part[];
    /** How the backup's secrets are kept. */
    readonly protection: string;
    /** What this backup does not hold. */
    readonly notCovered: readonly string[];
}

/** What a stack is, for a backup to fit it. */
export interface StackFacts {
    readonly zookeeper: { readonly version: string; readonly ensemble: readonly Member[] };
    readonly registry?: { readonly version: string; readonly host: string; readonly address: string };
}

/** A part as found in the backup folder: its size and sha256, or undefined when the file is not there. */
export type Found = { readonly bytes: number; readonly sha256: string } | undefined;

const members = (e: readonly Member[]) =>
    [...e]
        .sort((a, b) => a.id - b.id)
        .map((m) => `${m.id}=${m.host}@${m.address}`)
        .join(", ");

/**
 * Every reason `manifest` (parsed JSON, or undefined when unreadable) cannot be restored into the
 * stack described by `facts`, given what the folder holds (`found`, by part name); [] when it fits.
 * Each reason names the part or the fact that is wrong.
 */
export function problemsOf(manifest: unknown, found: Readonly<Record<string, Found>>, facts: StackFacts): string[] {
    if (manifest === undefined || typeof manifest !== "object" || manifest === null) {
        return [`${MANIFEST}: missing or not JSON; this folder is not a backup made by npm run backup`];
    }
    const m = manifest as Partial<Manifest>;
    if (m.format !== FORMAT) {
        return [`${MANIFEST}: format ${String(m.format)}, this tool reads format ${FORMAT}`];
    }
    const problems: string[] = [];
    const parts = Array.isArray(m.parts) ? m.parts : [];
    if (m.zookeeper === undefined) {
        problems.push(`${MANIFEST}: holds no ZooKeeper data`);
    } else {
        if (m.zookeeper.version !== facts.zookeeper.version) {
            problems.push(`zookeeper: the backup is of ZooKeeper ${m.zookeeper.version}, the stack runs ${facts.zookeeper.version}`);
        }
        if (members(m.zookeeper.ensemble ?? []) !== members(facts.zookeeper.ensemble)) {
            problems.push(`zookeeper: the backup's ensemble is ${members(m.zookeeper.ensemble ?? [])}, the stack's is ${members(facts.zookeeper.ensemble)}`);
        }
        for (const name of ZOOKEEPER_PARTS) {
            if (!parts.some((p) => p.name === name)) {
                problems.push(`${MANIFEST}: lists no ${name} (a partial backup)`);
            }
        }
    }
    if (m.registry !== undefined) {
        if (facts.registry === undefined) {
            problems.push(`registry: the backup holds registry ${m.registry.address}'s data, the stack has no registry`);
        } else if (m.registry.address !== facts.registry.address || m.registry.host !== facts.registry.host) {
            problems.push(`registry: the backup is of ${m.registry.host} (${m.registry.address}), the stack's registry is ${facts.registry.host} (${facts.registry.address})`);
        } else if (m.registry.version !== facts.registry.version) {
            problems.push(`registry: the backup is of registry ${m.registry.version}, the stack runs ${facts.registry.version}`);
        }
        if (!parts.some((p) => p.name === REGISTRY_PART)) {
            problems.push(`${MANIFEST}: lists no ${REGISTRY_PART} (a partial backup)`);
        }
    }
    for (const p of parts) {
        const f = found[p.name];
        if (f === undefined) {
            problems.push(`${p.name}: missing from the backup folder`);
        } else if (f.bytes !== p.bytes) {
            problems.push(`${p.name}: ${f.bytes} bytes, the manifest says ${p.bytes} (cut short or replaced)`);
        } else if (f.sha256 !== p.sha256) {
            problems.push(`${p.name}: its sha256 is not the manifest's (corrupt)`);
        }
    }
    return problems;
}

/** The parts a ZooKeeper backup must have: the snapshots first, then the transaction logs after them. */
export const ZOOKEEPER_PARTS = ["zookeeper-snapshots.tar.gz", "zookeeper-txnlogs.tar.gz"] as const;
export const REGISTRY_PART = "registry-data.tar.gz";

/** A zxid as `srvr` prints it (`0x…`) as a number, to order two of them. */
export function zxidOf(srvr: string): bigint | undefined {
    const hex = /^Zxid: (0x[0-9a-f]+)$/m.exec(srvr)?.[1];
    return hex === undefined ? undefined : BigInt(hex);
}

/** The member to copy from: a follower when one serves (the leader is left to its work), else the leader; undefined when none serves. */
export function pickMember<T extends { readonly mode?: string }>(members: readonly T[]): T | undefined {
    return members.find((m) => m.mode === "follower") ?? members.find((m) => m.mode === "leader" || m.mode === "standalone");
}
