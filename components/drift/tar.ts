/**
 * The one file of a tar stream as `docker cp CONTAINER:PATH -` writes it (Go's archive/tar: ustar
 * headers, a PAX record before an entry whose name or fields need one): its mode, owner and content.
 */
import { ObservedFile } from "./compare";

const BLOCK = 512;

function field(header: Buffer, start: number, length: number): string {
    const raw = header.subarray(start, start + length).toString("latin1");
    const end = raw.indexOf("\0");
    return (end === -1 ? raw : raw.slice(0, end)).trim();
}

/** PAX records (`LEN key=value\n`), which override the next entry's header fields. */
function paxRecords(body: Buffer): Record<string, string> {
    const out: Record<string, string> = {};
    let at = 0;
    while (at < body.length) {
        const space = body.indexOf(0x20, at);
        const length = Number(body.subarray(at, space).toString("latin1"));
        if (!(length > 0) || space === -1) {
            break;
        }
        const record = body.subarray(space + 1, at + length - 1).toString("utf8");
        const eq = record.indexOf("=");
        out[record.slice(0, eq)] = record.slice(eq + 1);
        at += length;
    }
    return out;
}

/** The first regular file of `tar`; throws when there is none (a folder, or not a tar stream). */
export function fileFromTar(tar: Buffer): Extract<ObservedFile, { exists: true }> {
    let at = 0;
    let pax: Record<string, string> = {};
    while (at + BLOCK <= tar.length) {
        const header = tar.subarray(at, at + BLOCK);
        if (header.every((b) => b === 0)) {
            break;
        }
        const size = Number(pax.size ?? parseInt(field(header, 124, 12) || "0", 8));
        const type = String.fromCharCode(header[156] || 0x30);
        const body = tar.subarray(at + BLOCK, at + BLOCK + size);
        at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
        if (type === "x") {
            pax = paxRecords(body);
            continue;
        }
        if (type === "g") {
            continue;
        }
        if (type !== "0") {
            throw new Error(`not a regular file (tar entry type ${type})`);
        }
        const mode = (parseInt(field(header, 100, 8), 8) & 0o7777).toString(8);
        const uid = Number(pax.uid ?? parseInt(field(header, 108, 8) || "0", 8));
        const gid = Number(pax.gid ?? parseInt(field(header, 116, 8) || "0", 8));
        return { exists: true, mode, uid, gid, content: body.toString("utf8") };
    }
    throw new Error("no file in the archive");
}
