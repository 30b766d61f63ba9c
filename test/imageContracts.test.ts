import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { parseConfig } from "../components/config";
import { SERVICES, clusterSpecs } from "../components/services";
import { ServiceSpec, secretsIn } from "../components/spec";
import { buildTopology } from "../components/composition";
import { ROOT, secretKeys, stackConfig, stackNames } from "./harness";

// Each image's contract (images/<name>/contract.yaml: what its upstream base image is and does,
// read from upstream sources) against its Dockerfile and against every spec the program emits.

interface Contract {
    image: string;
    runs: string;
    base: { distribution: string; archiveLive: boolean | null };
    user: string;
    uid: number | null;
    gid: number | null;
    entrypoint: string[];
    cmd: string[];
    startScript?: { path: string; appends: string[]; env: string[]; splitsArguments: boolean };
    heap?: { env: string; form: string };
    /** Who reads the secret files, where that is not the service's user (a start script that reads them before it drops root). */
    secretsReadBy?: { uid: number; gid: number };
    tools: { present: string[]; absent: string[] };
    sources: Record<string, string>;
}

const read = (name: string, file: string) => fs.readFileSync(path.join(ROOT, "images", name, file), "utf8");
const contractOf = (name: string) => parse(read(name, "contract.yaml")) as Contract;

/** A Dockerfile's instructions, continuation lines joined, comments dropped. */
function instructions(dockerfile: string): { op: string; rest: string }[] {
    return dockerfile
        .replace(/\\\n/g, " ")
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l !== "" && !l.startsWith("#"))
        .map((l) => ({ op: l.split(/\s+/)[0].toUpperCase(), rest: l.slice(l.split(/\s+/)[0].length).trim() }));
}

/** Every spec of every stack, by service. */
const specs: ServiceSpec[] = stackNames().flatMap((stack) => {
    const t = buildTopology(parseConfig(stackConfig(stack), { secretKeys: new Set(secretKeys()) }));
    return clusterSpecs(t);
});
const PACKAGE_INSTALL = /\b(apt-get|apt|yum|dnf|apk)\s+(update|install|add)\b/;

test("the agent's Docker client speaks the API version Engine 29 requires, and is the one its Dockerfile copies", () => {
    const contract = contractOf("agent") as unknown as { dockerClient: { image: string; engineMinimumApi: string } };
    const from = instructions(read("agent", "Dockerfile")).filter((i) => i.op === "FROM" && /\bAS docker-cli$/.test(i.rest));
    expect(from.map((i) => i.rest.split(/\s+/)[0])).toEqual([contract.dockerClient.image]);
    // Docker 25.0 was the first release whose API is 1.44 (each major since has a higher one).
    const major = Number(/^docker:(\d+)\.\d+\.\d+-cli$/.exec(contract.dockerClient.image)?.[1]);
    expect(major).toBeGreaterThanOrEqual(25);
    expect(contract.dockerClient.engineMinimumApi).toBe("1.44");
});

describe.each(SERVICES.map((s) => [s.name, s] as const))("image %s", (name, d) => {
    const contract = contractOf(name);
    const mine = specs.filter((s) => s.service === name);

    test("its contract gives a source for every fact", () => {
        const facts = ["image", "base", "user", "entrypoint", "cmd", "tools", ...(contract.startScript ? ["startScript"] : []), ...(contract.heap ? ["heap"] : []), ...(contract.secretsReadBy ? ["secretsReadBy"] : [])];
        for (const fact of facts) {
            expect({ fact, source: (contract.sources[fact] ?? "").length > 10 }).toEqual({ fact, source: true });
        }
    });

    test("it is built FROM the contract's image, which runs the version the program pins", () => {
        const from = instructions(read(name, "Dockerfile")).filter((i) => i.op === "FROM");
        expect(from[from.length - 1].rest.split(/\s+/)[0]).toBe(contract.image);
        expect(read(name, "Dockerfile")).toContain(`org.opencontainers.image.version="${d.version}"`);
        expect(contract.runs).toContain(d.version);
        if (d.upstream !== undefined) {
            expect(d.upstream.version).toBe(d.version);
        }
    });

    test("no package is installed on an archived distribution, or after USER drops root", () => {
        // A stage starts as its base image's user: Debian's own images have no USER.
        let user = "";
        let live: boolean | null = true;
        for (const i of instructions(read(name, "Dockerfile"))) {
            if (i.op === "FROM") {
                const base = i.rest.split(/\s+/)[0];
                const upstream = base === contract.image && !base.startsWith("debian:");
                user = upstream ? contract.user : "root";
                live = base === contract.image ? contract.base.archiveLive : true;
            } else if (i.op === "USER") {
                user = i.rest;
            } else if (i.op === "RUN" && PACKAGE_INSTALL.test(i.rest)) {
                expect({ run: i.rest, user, archiveLive: live }).toEqual({ run: i.rest, user: "root", archiveLive: true });
            }
        }
    });

    test("no spec passes a flag the image's start script passes itself", () => {
        const appended = contract.startScript?.appends ?? [];
        for (const s of mine) {
            const given = s.args.map((a) => a.split("=")[0]);
            expect({ host: s.host.name, both: given.filter((f) => appended.includes(f)) }).toEqual({ host: s.host.name, both: [] });
        }
    });

    test("its health probe needs only what the image has", () => {
        const copied = instructions(read(name, "Dockerfile"))
            .filter((i) => i.op === "COPY")
            .map((i) => path.basename(i.rest.split(/\s+/).pop() as string));
        for (const s of mine) {
            const [program, ...rest] = s.health.command;
            expect({ program, available: contract.tools.present.includes(program) || copied.includes(program) }).toEqual({ program, available: true });
            for (const tool of ["curl", "wget", "nc", "python", "java", "base64"]) {
                if (rest.some((w) => new RegExp(`\\b${tool}\\b`).test(w))) {
                    expect({ tool, present: contract.tools.present.includes(tool) }).toEqual({ tool, present: true });
                }
            }
        }
    });

    test("every file that holds a secret is readable by the user the service runs as (or its start, as the contract says), and by no one else", () => {
        const reader = contract.secretsReadBy ?? { uid: contract.uid, gid: contract.gid };
        for (const s of mine) {
            for (const f of s.files.filter((x) => secretsIn(x.template).length > 0)) {
                expect({ file: f.container, mode: f.mode, uid: f.uid, gid: f.gid }).toEqual({
                    file: f.container,
                    mode: expect.stringMatching(/^0[46]00$/),
                    uid: reader.uid,
                    gid: reader.gid,
                });
            }
        }
    });

    test("a JVM's heap is limited, through the variable its start reads", () => {
        if (contract.heap === undefined) {
            return;
        }
        const heap = contract.heap;
        for (const s of mine) {
            expect(s.env[heap.env]).toMatch(new RegExp(`^${heap.form.replace("{mb}", "\\d+")}$`));
        }
    });
});

test("every service has an image folder with a Dockerfile and a contract, and nothing else has one", () => {
    // Beside the folders: versions.yaml, the set they run together (test/versions.test.ts).
    const folders = fs
        .readdirSync(path.join(ROOT, "images"), { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort();
    expect(folders).toEqual(SERVICES.map((s) => s.name).sort());
    for (const f of folders) {
        expect(fs.existsSync(path.join(ROOT, "images", f, "Dockerfile")) && fs.existsSync(path.join(ROOT, "images", f, "contract.yaml"))).toBe(true);
    }
});
