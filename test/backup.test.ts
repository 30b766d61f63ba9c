import { FORMAT, Found, Manifest, REGISTRY_PART, StackFacts, ZOOKEEPER_PARTS, pickMember, problemsOf, zxidOf } from "../components/backup/manifest";

// Whether a backup fits a stack, on data: each refusal names the part or the fact that is wrong.

const ensemble = [
    { id: 1, host: "h11", address: "127.0.0.11" },
    { id: 2, host: "h12", address: "127.0.0.12" },
    { id: 3, host: "h13", address: "127.0.0.13" },
];
const facts: StackFacts = { zookeeper: { version: "3.8", ensemble }, registry: { version: "2.8", host: "h13", address: "127.0.0.13:5000" } };
const part = (name: string, bytes: number, sha256: string) => ({ name, what: name, host: "h12", source: "/x", bytes, sha256, secret: true });
const manifest: Manifest = {
    format: FORMAT,
    stack: "e2e",
    started: "2026-12-05T06:00:00.000Z",
    finished: "2026-12-05T06:00:05.000Z",
    zookeeper: { version: "3.8", ensemble, from: "h12", zxidBefore: "0x100000010", zxidAfter: "0x100000020", consistency: "one state" },
    registry: facts.registry,
    parts: [part(ZOOKEEPER_PARTS[0], 10, "a"), part(ZOOKEEPER_PARTS[1], 20, "b"), part(REGISTRY_PART, 30, "c")],
    protection: "0600",
    notCovered: [],
};
const all: Record<string, Found> = { [ZOOKEEPER_PARTS[0]]: { bytes: 10, sha256: "a" }, [ZOOKEEPER_PARTS[1]]: { bytes: 20, sha256: "b" }, [REGISTRY_PART]: { bytes: 30, sha256: "c" } };

test("a backup that fits: no problem", () => {
    expect(problemsOf(manifest, all, facts)).toEqual([]);
});

test("a corrupt, a cut-short and a missing part are each named", () => {
    expect(problemsOf(manifest, { ...all, [ZOOKEEPER_PARTS[1]]: { bytes: 20, sha256: "x" } }, facts)).toEqual(["zookeeper-txnlogs.tar.gz: its sha256 is not the manifest's (corrupt)"]);
    expect(problemsOf(manifest, { ...all, [REGISTRY_PART]: { bytes: 7, sha256: "c" } }, facts)).toEqual(["registry-data.tar.gz: 7 bytes, the manifest says 30 (cut short or replaced)"]);
    expect(problemsOf(manifest, { ...all, [ZOOKEEPER_PARTS[0]]: undefined }, facts)).toEqual(["zookeeper-snapshots.tar.gz: missing from the backup folder"]);
});

test("a manifest that is missing, of another format, or lists too little", () => {
    expect(problemsOf(undefined, {}, facts)).toEqual(["manifest.json: missing or not JSON; this folder is not a backup made by npm run backup"]);
    expect(problemsOf({ ...manifest, format: 2 }, all, facts)).toEqual(["manifest.json: format 2, this tool reads format 1"]);
    expect(problemsOf({ ...manifest, parts: manifest.parts.slice(1) }, all, facts)).toEqual(["manifest.json: lists no zookeeper-snapshots.tar.gz (a partial backup)"]);
});

test("another ensemble, another version, another registry: each said, all at once", () => {
    const other = { ...manifest, zookeeper: { ...(manifest.zookeeper as NonNullable<Manifest["zookeeper"]>), version: "3.9", ensemble: [...ensemble.slice(0, 2), { id: 3, host: "h13", address: "10.0.0.13" }] } };
    expect(problemsOf({ ...other, registry: { version: "2.8", host: "r1", address: "10.0.0.41:5000" } }, all, facts)).toEqual([
        "zookeeper: the backup is of ZooKeeper 3.9, the stack runs 3.8",
        "zookeeper: the backup's ensemble is 1=h11@127.0.0.11, 2=h12@127.0.0.12, 3=h13@10.0.0.13, the stack's is 1=h11@127.0.0.11, 2=h12@127.0.0.12, 3=h13@127.0.0.13",
        "registry: the backup is of r1 (10.0.0.41:5000), the stack's registry is h13 (127.0.0.13:5000)",
    ]);
    expect(problemsOf(manifest, all, { ...facts, registry: undefined })).toEqual(["registry: the backup holds registry 127.0.0.13:5000's data, the stack has no registry"]);
    // The same members listed in another order fit.
    expect(problemsOf({ ...manifest, zookeeper: { ...(manifest.zookeeper as NonNullable<Manifest["zookeeper"]>), ensemble: [...ensemble].reverse() } }, all, facts)).toEqual([]);
});

test("zxidOf and pickMember", () => {
    expect(zxidOf("Zookeeper version: 3.8\nZxid: 0x10000002a\nMode: follower\n")).toBe(0x10000002an);
    expect(zxidOf("")).toBeUndefined();
    expect(pickMember([{ mode: "leader", n: 1 }, { mode: undefined, n: 2 }, { mode: "follower", n: 3 }])?.n).toBe(3);
    expect(pickMember([{ mode: "leader", n: 1 }, { mode: undefined, n: 2 }])?.n).toBe(1);
    expect(pickMember([{ mode: undefined }])).toBeUndefined();
});
