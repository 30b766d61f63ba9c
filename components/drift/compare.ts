/**
 * Drift: what the program would put on a host against what is there. Pure: the expected side
 * comes from the same renderers the runtimes use, the observed side is data a reader gathered
 * (scripts/drift.ts, over SSH); this module only compares and words the differences.
 */
import { Template, secretsIn } from "../spec";

/** A file the program writes on a host, before its secrets are filled in. */
export interface ExpectedFile {
    readonly path: string;
    /** Octal, e.g. "0600". */
    readonly mode: string;
    readonly uid: number;
    readonly gid: number;
    readonly template: Template;
}

/** One service on one host as the program would deploy it. */
export interface ExpectedService {
    readonly host: string;
    readonly service: string;
    /** The systemd unit, e.g. `zookeeper-h11.service`; absent on the docker runtime. */
    readonly unit?: string;
    readonly containerName: string;
    /** The reference the container must run (a tag, or `repo@sha256:…` for a pushed image). */
    readonly image: string;
    /** A pushed image's tag in the cluster's registry, which must still name `image`'s digest. */
    readonly tag?: string;
    /**
     * The docker runtime's image built on the host: the container was created from the ID `image`
     * (its tag) named then, so its own reference is that ID and only the IDs are compared.
     */
    readonly runsImageId?: boolean;
    readonly files: readonly ExpectedFile[];
}

/** A file as a reader found it. */
export type ObservedFile =
    | { readonly exists: false }
    | { readonly exists: true; readonly mode: string; readonly uid: number; readonly gid: number; readonly content: string };

/** A container as `docker inspect` showed it; absent when there is none by that name. */
export interface ObservedContainer {
    readonly running: boolean;
    /** `.Config.Image`: the reference it was started from. */
    readonly image: string;
    /** `.Image`: the ID of the image it runs. */
    readonly imageId: string;
}

/** One service on one host as a reader found it. */
export interface ObservedService {
    readonly files: Readonly<Record<string, ObservedFile>>;
    /** `systemctl is-enabled` and `is-active` of the unit (systemd runtime). */
    readonly unit?: { readonly enabled: string; readonly active: string };
    readonly container?: ObservedContainer;
    /** The image ID the expected reference names on the host now; absent when it names none. */
    readonly imageIdOfRef?: string;
    /**
     * The digest the expected tag names in the registry now (`sha256:…`), null when the registry
     * has no such tag; absent when it was not asked.
     */
    readonly registryDigest?: string | null;
}

export type DifferenceKind = "file" | "unit" | "container" | "image" | "host";

/** One thing that is not as the program would have it. */
export interface Difference {
    readonly host: string;
    /** "" for a difference of the host as a whole. */
    readonly service: string;
    readonly kind: DifferenceKind;
    /** The file, unit, container or image the difference is about. */
    readonly subject: string;
    /** What differs, in a line; never a secret's content. */
    readonly detail: string;
    /** A unified diff of a text file that holds no secret. */
    readonly diff?: string;
}

/** Octal mode without leading zeros beyond one digit group: "0644" and "644" alike. */
const normalMode = (mode: string) => mode.replace(/^0+(?=\d{3})/, "").padStart(3, "0");

/**
 * Whether a file's content is a secret's business: it has a secret's slot, or the program
 * keeps it from everyone but its owner (an env file or a login may carry a value an operator
 * set as a secret). Such a file's content is compared but never shown.
 */
export function isSecretFile(f: Pick<ExpectedFile, "mode" | "template">): boolean {
    return secretsIn(f.template).length > 0 || (parseInt(f.mode, 8) & 0o077) === 0;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Whether `content` is what `template` gives for some values of its secrets: its text exact,
 * each slot any value (a JSON slot any JSON string body). Values the tool cannot read can then
 * still be told apart from an edit around them.
 */
export function matchesTemplate(template: Template, content: string): boolean {
    const source = template.parts.map((p) => (typeof p === "string" ? escapeRegExp(p) : p.json ? '(?:[^"\\\\]|\\\\.)*' : "[\\s\\S]*")).join("");
    return new RegExp(`^${source}$`).test(content);
}

/** Lines of a text, without the empty one after a final newline. */
const linesOf = (s: string) => {
    const lines = s.split("\n");
    return lines[lines.length - 1] === "" ? lines.slice(0, -1) : lines;
};

/**
 * A unified diff (`diff -u` style, 3 lines of context) from `expected` to `observed`; "" when
 * they are the same. Line-based LCS: files here are units and configs of tens of lines.
 */
export function unifiedDiff(expected: string, observed: string, labels: { from: string; to: string }): string {
    const a = linesOf(expected);
    const b = linesOf(observed);
    const n = a.length;
    const m = b.length;
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
    const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
    for (let i = n - 1; i >= 0; i--) {
        for (let j = m - 1; j >= 0; j--) {
            lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
        }
    }
    type Op = { kind: " " | "-" | "+"; line: string; ai: number; bi: number };
    const ops: Op[] = [];
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && a[i] === b[j]) {
            ops.push({ kind: " ", line: a[i], ai: i++, bi: j++ });
        } else if (i < n && (j >= m || lcs[i + 1][j] >= lcs[i][j + 1])) {
            // Removals before additions, as diff -u shows a changed line.
            ops.push({ kind: "-", line: a[i], ai: i++, bi: j });
        } else {
            ops.push({ kind: "+", line: b[j], ai: i, bi: j++ });
        }
    }
    if (ops.every((o) => o.kind === " ")) {
        return expected === observed ? "" : `--- ${labels.from}\n+++ ${labels.to}\n\\ the files differ only in their last newline\n`;
    }
    const CONTEXT = 3;
    const out = [`--- ${labels.from}`, `+++ ${labels.to}`];
    let k = 0;
    while (k < ops.length) {
        if (ops[k].kind === " ") {
            k++;
            continue;
        }
        // A hunk: from CONTEXT lines before this change to CONTEXT lines after the last change
        // that is within 2*CONTEXT unchanged lines of the one before it.
        const start = Math.max(0, k - CONTEXT);
        let end = k;
        for (let x = k; x < ops.length; x++) {
            if (ops[x].kind !== " ") {
                end = x;
            } else if (x - end > 2 * CONTEXT) {
                break;
            }
        }
        const stop = Math.min(ops.length, end + CONTEXT + 1);
        const hunk = ops.slice(start, stop);
        const aCount = hunk.filter((o) => o.kind !== "+").length;
        const bCount = hunk.filter((o) => o.kind !== "-").length;
        const aStart = aCount === 0 ? hunk[0].ai : hunk[0].ai + 1;
        const bStart = bCount === 0 ? hunk[0].bi : hunk[0].bi + 1;
        out.push(`@@ -${aStart},${aCount} +${bStart},${bCount} @@`, ...hunk.map((o) => `${o.kind}${o.line}`));
        k = stop;
    }
    return `${out.join("\n")}\n`;
}

/** The differences of one file. */
function compareFile(e: ExpectedService, want: ExpectedFile, got: ObservedFile | undefined): Difference[] {
    const at = { host: e.host, service: e.service, kind: "file" as const, subject: want.path };
    if (got === undefined || !got.exists) {
        return [{ ...at, detail: "missing" }];
    }
    const found: Difference[] = [];
    if (normalMode(got.mode) !== normalMode(want.mode)) {
        found.push({ ...at, detail: `mode ${normalMode(got.mode)}, the program writes ${normalMode(want.mode)}` });
    }
    if (got.uid !== want.uid || got.gid !== want.gid) {
        found.push({ ...at, detail: `owner ${got.uid}:${got.gid}, the program writes ${want.uid}:${want.gid}` });
    }
    if (!matchesTemplate(want.template, got.content)) {
        const secrets = secretsIn(want.template);
        if (isSecretFile(want)) {
            // Never its content, neither the expected nor the found: it may hold a secret.
            const why = secrets.length > 0 ? `it holds the secret${secrets.length > 1 ? "s" : ""} ${secrets.join(", ")}` : `it is readable by its owner only (${normalMode(want.mode)})`;
            const scope = secrets.length > 0 ? " outside its secrets' places" : "";
            found.push({ ...at, detail: `content differs${scope} (not shown: ${why})` });
        } else {
            const expected = want.template.parts.join("");
            found.push({ ...at, detail: "content differs", diff: unifiedDiff(expected, got.content, { from: `${want.path} (the program)`, to: `${want.path} (on ${e.host})` }) });
        }
    }
    return found;
}

/** Every difference of one service on its host. */
export function compareService(e: ExpectedService, o: ObservedService): Difference[] {
    const found = e.files.flatMap((f) => compareFile(e, f, o.files[f.path]));
    const at = { host: e.host, service: e.service };
    if (e.unit !== undefined) {
        const unit = o.unit ?? { enabled: "unknown", active: "unknown" };
        if (unit.enabled !== "enabled") {
            found.push({ ...at, kind: "unit", subject: e.unit, detail: `is ${unit.enabled}, the program enables it` });
        }
        if (unit.active !== "active") {
            found.push({ ...at, kind: "unit", subject: e.unit, detail: `is ${unit.active}, the program starts it` });
        }
    }
    const c = o.container;
    if (c === undefined) {
        found.push({ ...at, kind: "container", subject: e.containerName, detail: `does not exist${o.imageIdOfRef === undefined ? ` (and image ${e.image} is not on the host)` : ""}` });
    } else {
        if (!c.running) {
            found.push({ ...at, kind: "container", subject: e.containerName, detail: "is not running" });
        }
        if (c.image !== e.image && !e.runsImageId) {
            found.push({ ...at, kind: "image", subject: e.containerName, detail: `runs ${c.image}, the program deploys ${e.image}` });
        } else if (o.imageIdOfRef === undefined) {
            found.push({ ...at, kind: "image", subject: e.image, detail: `is no longer on the host; the container runs ${c.imageId}` });
        } else if (o.imageIdOfRef !== c.imageId) {
            found.push({ ...at, kind: "image", subject: e.image, detail: `swapped under its reference: it names ${o.imageIdOfRef} on the host, the container runs ${c.imageId}` });
        }
    }
    if (e.tag !== undefined && o.registryDigest !== undefined) {
        const deployed = /@(sha256:[0-9a-f]{64})$/.exec(e.image)?.[1];
        if (o.registryDigest === null) {
            found.push({ ...at, kind: "image", subject: e.tag, detail: "is not in the registry: a host that pulls it again gets nothing" });
        } else if (deployed !== undefined && o.registryDigest !== deployed) {
            found.push({ ...at, kind: "image", subject: e.tag, detail: `swapped under its tag in the registry: it names ${o.registryDigest}, the program deployed ${deployed}` });
        }
    }
    return found;
}

/**
 * The image a pushed service's unit runs, `repository@sha256:…`, which only Pulumi's state
 * knows (the push's repoDigest). `digests`: tag → digest reference, from the state, when the
 * tool could read it. Without it, the digest the host's own unit names for the same repository
 * is taken, and said so: the unit is then checked, but not the digest itself.
 */
export function resolveImage(tagged: string, pushed: boolean, digests: Readonly<Record<string, string>> | undefined, unitOnHost: string | undefined): { image: string; note?: string } {
    if (!pushed) {
        return { image: tagged };
    }
    const known = digests?.[tagged];
    if (known !== undefined) {
        return { image: known };
    }
    const repository = tagged.replace(/:[^:/]+$/, "");
    const onHost = unitOnHost === undefined ? undefined : new RegExp(`(?:^|[\\s"])(${escapeRegExp(repository)}@sha256:[0-9a-f]{64})(?=$|[\\s"])`, "m").exec(unitOnHost)?.[1];
    if (onHost !== undefined) {
        return { image: onHost, note: `${tagged}: the digest the program deployed is in Pulumi's state, not read here; the unit's own (${onHost}) is taken, so a unit pointed at another digest of the same repository is not caught` };
    }
    return { image: tagged, note: `${tagged}: the digest the program deployed is in Pulumi's state, not read here, and the host's unit names none` };
}

/**
 * The digests of the images a stack pushed, from `pulumi stack export`'s JSON: each
 * `docker:index/image:Image`'s `imageName` → its `repoDigest`.
 */
export function digestsFromState(exported: unknown): Record<string, string> {
    const resources = ((exported as { deployment?: { resources?: unknown[] } })?.deployment?.resources ?? []) as { type?: string; outputs?: Record<string, unknown> }[];
    const found: Record<string, string> = {};
    for (const r of resources) {
        const name = r.outputs?.imageName;
        const digest = r.outputs?.repoDigest;
        if (r.type === "docker:index/image:Image" && typeof name === "string" && typeof digest === "string" && digest !== "") {
            found[name] = digest;
        }
    }
    return found;
}

/** Units on a host that say they are the program's but that it no longer deploys there. */
export function strayUnits(host: string, managedOnHost: readonly string[], expected: readonly ExpectedService[]): Difference[] {
    const wanted = new Set(expected.filter((e) => e.host === host).map((e) => e.unit));
    return managedOnHost
        .filter((u) => !wanted.has(u))
        .sort()
        .map((u) => ({ host, service: "", kind: "unit" as const, subject: u, detail: "is marked as managed by mesos-cluster, but the program deploys no such unit on this host" }));
}

/** The report: one line per difference, `HOST SERVICE KIND SUBJECT: DETAIL`, diffs below theirs. */
export function formatDifferences(found: readonly Difference[]): string {
    return found
        .map((d) => {
            const line = `${d.host}  ${d.service || "-"}  ${d.kind}  ${d.subject}: ${d.detail}`;
            return d.diff === undefined ? line : `${line}\n${d.diff.replace(/^/gm, "    ").trimEnd()}`;
        })
        .join("\n");
}
