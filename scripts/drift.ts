/**
 * npm run drift -- --stack NAME [--identity KEYFILE] [--known-hosts FILE] [--digests FILE]
 *                  [--services a,b] [--timeout SECONDS]
 *
 * Reads every host of a systemd stack over SSH, as the deploy reaches it (sshUser, sshPort,
 * `sudo -n` unless root), or of a docker-runtime stack through the engine the deploy drives
 * (`docker -H ssh://…`, or this machine's), and compares each unit, file and container with what
 * the program would write (components/drift). Prints each difference, naming host, service and what
 * differs (a unified diff for text; a secret file's content is never shown), and exits 1 on
 * any, 0 on none, 2 for bad usage or a bad stack, 3 when a host could not be read. Changes
 * nothing on the hosts: it runs stat, base64, systemctl is-enabled/is-active, docker inspect,
 * and on the docker runtime docker cp out of the containers.
 *
 * The SSH key is a stack secret, which only the Pulumi engine can decrypt: --identity names a
 * key file, or else ssh's own (ssh-agent, ~/.ssh). Pushed images run by digest, which only
 * Pulumi's state holds: --digests names a JSON file (tag → `repository@sha256:…`), or else
 * `pulumi stack export` is read when the CLI is installed, or else each unit's own digest is
 * taken and said so.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as path from "path";
import { ConfigError } from "../components/config";
import { stackTopology } from "../components/composition";
import { Difference, ObservedFile, ObservedService, compareService, digestsFromState, formatDifferences, resolveImage, strayUnits } from "../components/drift/compare";
import { Planned, PlannedContainer, plan, planDocker } from "../components/drift/expected";
import { fileFromTar } from "../components/drift/tar";
import { SERVICES } from "../components/services";
import { SERVICE_LABEL_KEY } from "../components/spec";
import { ClusterRegistry } from "../components/topology/types";
import { runToEnd, runWithDeadline, sshArgs, toolArgs } from "./ssh";
import { readStackConfig, stackNames } from "./stackFile";

const ROOT = path.resolve(__dirname, "..");

export interface DriftOptions {
    readonly stack: string;
    /** Config values over the stack file's (a test's stack as it deployed it). */
    readonly overrides?: Readonly<Record<string, string>>;
    readonly identity?: string;
    readonly knownHosts?: string;
    /** Tag → digest reference of the pushed images; undefined: from `pulumi stack export`, if it can be had. */
    readonly digests?: Readonly<Record<string, string>>;
    /** Only these services (all when absent). */
    readonly services?: readonly string[];
    readonly timeoutMs?: number;
}

export interface DriftReport {
    readonly differences: Difference[];
    /** What could not be checked, and why. */
    readonly notes: string[];
    /** Hosts that could not be read, with ssh's words. */
    readonly unreadable: { host: string; error: string }[];
}

/**
 * Prints, one record a line, what the host has of each argument `KIND:VALUE` (F file, U unit,
 * C container, I image reference, M the units marked as the program's), every field base64 but
 * the kind. Reads only.
 */
const READ_SCRIPT = `set -u
b() { printf %s "$1" | base64 -w0; }
for a in "$@"; do
  k=\${a%%:*} v=\${a#*:}
  case $k in
    F) if [ -f "$v" ]; then printf 'F %s %s %s\\n' "$(b "$v")" "$(b "$(stat -c '%a %u %g' -- "$v")")" "$(base64 -w0 < "$v")"; else printf 'F %s -\\n' "$(b "$v")"; fi ;;
    U) printf 'U %s %s %s\\n' "$(b "$v")" "$(b "$(systemctl is-enabled -- "$v" 2>/dev/null || true)")" "$(b "$(systemctl is-active -- "$v" 2>/dev/null || true)")" ;;
    C) if i=$(docker container inspect --format '{{.State.Running}} {{.Image}} {{.Config.Image}}' -- "$v" 2>/dev/null); then printf 'C %s %s\\n' "$(b "$v")" "$(b "$i")"; else printf 'C %s -\\n' "$(b "$v")"; fi ;;
    I) if i=$(docker image inspect --format '{{.Id}}' -- "$v" 2>/dev/null); then printf 'I %s %s\\n' "$(b "$v")" "$(b "$i")"; else printf 'I %s -\\n' "$(b "$v")"; fi ;;
    M) for u in /etc/systemd/system/*.service; do grep -qs '^# Managed by mesos-cluster' "$u" && printf 'M %s\\n' "$(b "\${u##*/}")"; done ;;
  esac
done
echo END`;

const unb64 = (s: string) => Buffer.from(s, "base64").toString("utf8");

/** What the read script printed, by kind and subject. */
export interface HostReading {
    readonly files: Record<string, ObservedFile>;
    readonly units: Record<string, { enabled: string; active: string }>;
    readonly containers: Record<string, { running: boolean; imageId: string; image: string } | undefined>;
    readonly images: Record<string, string | undefined>;
    readonly managed: string[];
}

export function parseReading(out: string): HostReading {
    const r: HostReading = { files: {}, units: {}, containers: {}, images: {}, managed: [] };
    if (!out.split("\n").includes("END")) {
        throw new Error("the host's answer ended early");
    }
    for (const line of out.split("\n")) {
        const [kind, a, b, c] = line.split(" ");
        if (kind === "F") {
            if (b === "-") {
                r.files[unb64(a)] = { exists: false };
            } else {
                const [mode, uid, gid] = unb64(b).split(" ");
                r.files[unb64(a)] = { exists: true, mode, uid: Number(uid), gid: Number(gid), content: unb64(c ?? "") };
            }
        } else if (kind === "U") {
            r.units[unb64(a)] = { enabled: unb64(b) || "not-found", active: unb64(c) || "unknown" };
        } else if (kind === "C") {
            const [running, imageId, image] = b === "-" ? [] : unb64(b).split(" ");
            r.containers[unb64(a)] = b === "-" ? undefined : { running: running === "true", imageId, image };
        } else if (kind === "I") {
            r.images[unb64(a)] = b === "-" ? undefined : unb64(b);
        } else if (kind === "M") {
            r.managed.push(unb64(a));
        }
    }
    return r;
}

/** Runs the read script on a host over SSH, as the deploy connects (user, port, sudo). */
async function readHost(address: string, words: readonly string[], o: { user: string; port: number; identity?: string; knownHosts?: string; timeoutMs: number }): Promise<HostReading> {
    const args = sshArgs({ user: o.user, port: o.port, address }, o, "drift", READ_SCRIPT, words);
    return parseReading(await runToEnd("ssh", args, `ssh ${o.user}@${address}:${o.port}`, o.timeoutMs));
}

/** The variable the registry's password is read from, for a registry with a login (its stack output registryPassword). */
export const REGISTRY_PASSWORD_ENV = "MESOS_CLUSTER_REGISTRY_PASSWORD";

const MANIFESTS = [
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
].join(", ");

/**
 * The digest a tag names in the cluster's registry now (null: no such tag), asked from this
 * machine as the program's pushes reach it: plain HTTP, or TLS trusting the stack's certificate,
 * with the login when the registry wants one.
 */
function registryDigest(r: ClusterRegistry, tagged: string, password: string | undefined, timeoutMs: number): Promise<string | null> {
    const rest = tagged.slice(r.address.length + 1);
    const colon = rest.lastIndexOf(":");
    const url = `${r.certificate === "" ? "http" : "https"}://${r.address}/v2/${rest.slice(0, colon)}/manifests/${rest.slice(colon + 1)}`;
    const headers: Record<string, string> = { Accept: MANIFESTS };
    if (r.auth && password !== undefined) {
        headers.Authorization = `Basic ${Buffer.from(`${r.user}:${password}`).toString("base64")}`;
    }
    return new Promise((resolve, reject) => {
        const options = { method: "HEAD", headers, timeout: timeoutMs, ...(r.certificate === "" ? {} : { ca: r.certificate }) };
        const req = (r.certificate === "" ? http : https).request(url, options, (res) => {
            res.resume();
            const digest = res.headers["docker-content-digest"];
            if (res.statusCode === 404) {
                resolve(null);
            } else if (res.statusCode === 200 && typeof digest === "string") {
                resolve(digest);
            } else {
                reject(new Error(`${url} answered ${res.statusCode}${res.statusCode === 401 ? ` (set ${REGISTRY_PASSWORD_ENV})` : ""}`));
            }
        });
        req.on("timeout", () => req.destroy(new Error(`${url}: no answer within ${timeoutMs / 1000}s`)));
        req.on("error", reject);
        req.end();
    });
}

/** The pushed images' digests from Pulumi's state, when the CLI can give it; undefined otherwise. */
function digestsFromCli(stack: string): Record<string, string> | undefined {
    const r = spawnSync("pulumi", ["stack", "export", "--stack", stack, "--non-interactive"], { cwd: ROOT, encoding: "utf8", timeout: 120_000, maxBuffer: 1 << 28 });
    if (r.status !== 0) {
        return undefined;
    }
    try {
        return digestsFromState(JSON.parse(r.stdout));
    } catch {
        return undefined;
    }
}

/** Checks every host of the stack; changes nothing. */
export async function checkDrift(o: DriftOptions): Promise<DriftReport> {
    const { values, secure } = readStackConfig(ROOT, o.stack);
    const config = { ...values, ...o.overrides };
    const topology = stackTopology(config, { requireSecrets: false, secretKeys: new Set(secure) });
    const notes: string[] = [];
    if (config["mesos-cluster:runtime"] !== "systemd") {
        const containers = planDocker(topology);
        return checkDockerDrift(o, containers, topology.config.containerPrefix, o.digests ?? (containers.some((p) => p.pushed) ? digestsFromCli(o.stack) : undefined), notes);
    }
    for (const key of secure.filter((k) => k !== "mesos-cluster:sshPrivateKey" && !(o.overrides && k in o.overrides))) {
        notes.push(`${key} is set as a secret, which this tool cannot read: files made from it are compared against its default`);
    }
    const all = plan(topology).filter((p) => o.services === undefined || o.services.includes(p.spec.service));
    const digests = o.digests ?? (all.some((p) => p.pushed) ? digestsFromCli(o.stack) : undefined);
    const user = config["mesos-cluster:sshUser"];
    const port = Number(config["mesos-cluster:sshPort"]);
    const timeoutMs = o.timeoutMs ?? 60_000;
    const byHost = new Map<string, Planned[]>();
    for (const p of all) {
        byHost.set(p.host, [...(byHost.get(p.host) ?? []), p]);
    }
    const differences: Difference[] = [];
    const unreadable: { host: string; error: string }[] = [];
    // Each pushed tag once: what the registry names by it now.
    const registry = topology.registry;
    const password = process.env[REGISTRY_PASSWORD_ENV] || undefined;
    const tags = new Map<string, Promise<string | null | undefined>>();
    const tagDigest = (tagged: string) => {
        if (registry === undefined) {
            return Promise.resolve(undefined);
        }
        if (registry.auth && password === undefined) {
            notes.push(`the registry's tags are not checked: it wants a login; set ${REGISTRY_PASSWORD_ENV} (the stack output registryPassword)`);
            return Promise.resolve(undefined);
        }
        const asked =
            tags.get(tagged) ??
            registryDigest(registry, tagged, password, timeoutMs).catch((e: Error) => {
                notes.push(`${tagged}: the registry could not be asked: ${e.message}`);
                return undefined;
            });
        tags.set(tagged, asked);
        return asked;
    };
    await Promise.all(
        [...byHost.entries()].map(async ([host, here]) => {
            const connect = { user, port, identity: o.identity, knownHosts: o.knownHosts, timeoutMs };
            try {
                // First what is on disk and running, then the images the units name (a pushed
                // image's digest may be the unit's own).
                const files = here.flatMap((p) => p.expect(p.tagged).files.map((f) => f.path));
                const first = await readHost(here[0].address, [...files.map((f) => `F:${f}`), ...here.flatMap((p) => [`U:${p.unit}`, `C:${p.spec.containerName}`]), ...(o.services === undefined ? ["M:"] : [])], connect);
                const expected = here.map((p) => {
                    const unitOnHost = first.files[p.unitPath];
                    const { image, note } = resolveImage(p.tagged, p.pushed, digests, unitOnHost?.exists ? unitOnHost.content : undefined);
                    if (note !== undefined) {
                        notes.push(`${host} ${p.spec.service}: ${note}`);
                    }
                    return { p, e: p.expect(image) };
                });
                const second = await readHost(here[0].address, [...new Set(expected.map((x) => `I:${x.e.image}`))], connect);
                for (const { p, e } of expected) {
                    // Files of later specs on this host may share nothing; each service reads its own.
                    const observed: ObservedService = {
                        files: Object.fromEntries(e.files.map((f) => [f.path, first.files[f.path] ?? { exists: false }])),
                        unit: first.units[p.unit],
                        container: first.containers[p.spec.containerName],
                        imageIdOfRef: second.images[e.image],
                        registryDigest: e.tag === undefined ? undefined : await tagDigest(e.tag),
                    };
                    differences.push(...compareService(e, observed));
                }
                differences.push(...strayUnits(host, first.managed, expected.map((x) => x.e)));
            } catch (e) {
                unreadable.push({ host, error: (e as Error).message });
            }
        }),
    );
    const order = [...byHost.keys()];
    differences.sort((a, b) => order.indexOf(a.host) - order.indexOf(b.host));
    return { differences, notes: [...new Set(notes)].sort(), unreadable };
}

/** The docker CLI against an engine (`-H`, or this machine's), its output as bytes. */
function docker(engine: string | undefined, args: readonly string[], timeoutMs: number): Promise<{ status: number | null; out: Buffer; err: string }> {
    return runWithDeadline("docker", [...(engine === undefined ? [] : ["-H", engine]), ...args], `docker ${args[0]}`, timeoutMs);
}

/**
 * A docker-runtime stack: each host's engine, as the deploy drives it, read with `docker inspect`
 * and `docker cp` (which copies out of a container, running or not, and changes nothing).
 */
async function checkDockerDrift(
    o: DriftOptions,
    all: readonly PlannedContainer[],
    containerPrefix: string,
    digests: Readonly<Record<string, string>> | undefined,
    notes: string[],
): Promise<DriftReport> {
    const planned = all.filter((p) => o.services === undefined || o.services.includes(p.spec.service));
    const timeoutMs = o.timeoutMs ?? 60_000;
    const byEngine = new Map<string, PlannedContainer[]>();
    for (const p of planned) {
        const key = `${p.host}\0${p.engine ?? ""}`;
        byEngine.set(key, [...(byEngine.get(key) ?? []), p]);
    }
    const differences: Difference[] = [];
    const unreadable: { host: string; error: string }[] = [];
    // Several hosts of a stack on this machine's engine share it: its stray containers are said once.
    const strayChecked = new Set<string>();
    await Promise.all(
        [...byEngine.values()].map(async (here) => {
            const { host, engine } = here[0];
            try {
                const version = await docker(engine, ["version", "--format", "{{.Server.Version}}"], timeoutMs);
                if (version.status !== 0) {
                    throw new Error(version.err.split("\n").slice(-2).join(" ") || `docker version ended with ${version.status}`);
                }
                for (const p of here) {
                    const name = p.spec.containerName;
                    const inspected = await docker(engine, ["container", "inspect", "--format", "{{.State.Running}} {{.Image}} {{.Config.Image}}", name], timeoutMs);
                    const [running, imageId, image] = inspected.status === 0 ? inspected.out.toString("utf8").trim().split(" ") : [];
                    const container = inspected.status === 0 ? { running: running === "true", imageId, image } : undefined;
                    const { image: expectedImage, note } = resolveImage(p.tagged, p.pushed, digests, container?.image);
                    if (note !== undefined) {
                        notes.push(`${host} ${p.spec.service}: ${note.replace("the unit's own", "the container's own").replace("the host's unit names none", "the container names none")}`);
                    }
                    // A container's files are in the container: none is said missing when it is.
                    const e = container === undefined ? { ...p.expect(expectedImage), files: [] } : p.expect(expectedImage);
                    const files: Record<string, ObservedFile> = {};
                    const notFiles = new Set<string>();
                    for (const f of e.files) {
                        const copied = await docker(engine, ["cp", `${name}:${f.path}`, "-"], timeoutMs);
                        if (copied.status === 0) {
                            try {
                                files[f.path] = fileFromTar(copied.out);
                            } catch (err) {
                                // A folder or a link where the program writes a file: said as such.
                                notFiles.add(f.path);
                                differences.push({ host, service: p.spec.service, kind: "file", subject: f.path, detail: `is ${(err as Error).message}, where the program writes a file` });
                            }
                        } else if (/could not find the file|no such file/i.test(copied.err)) {
                            files[f.path] = { exists: false };
                        } else {
                            throw new Error(`docker cp ${name}:${f.path}: ${copied.err || `ended with ${copied.status}`}`);
                        }
                    }
                    const ofRef = await docker(engine, ["image", "inspect", "--format", "{{.Id}}", e.image], timeoutMs);
                    const compared = { ...e, files: e.files.filter((f) => !notFiles.has(f.path)) };
                    differences.push(...compareService(compared, { files, container, imageIdOfRef: ofRef.status === 0 ? ofRef.out.toString("utf8").trim() : undefined }));
                }
                if (o.services === undefined && !strayChecked.has(engine ?? "")) {
                    strayChecked.add(engine ?? "");
                    const listed = await docker(engine, ["ps", "-a", "--filter", `label=${SERVICE_LABEL_KEY}`, "--format", "{{.Names}}"], timeoutMs);
                    if (listed.status !== 0) {
                        throw new Error(`docker ps: ${listed.err || `ended with ${listed.status}`}`);
                    }
                    const wanted = new Set(all.filter((p) => p.engine === engine).map((p) => p.spec.containerName));
                    // Only names this stack would give (its prefix, any service, one of its hosts on
                    // this engine): an engine may hold other stacks' containers, with the same label.
                    // So a service taken off a host is caught; a host taken out of the stack is not.
                    const hostsHere = new Set(all.filter((p) => p.engine === engine).map((p) => p.host));
                    const services = new Set(SERVICES.map((d) => d.name));
                    const ours = (n: string) => [...services].some((svc) => [...hostsHere].some((h) => n === `${containerPrefix}${svc}-${h}`));
                    for (const stray of listed.out.toString("utf8").split("\n").filter((n) => n !== "" && !wanted.has(n) && ours(n))) {
                        differences.push({ host, service: "", kind: "container", subject: stray, detail: "carries the program's label, but the program no longer deploys it here" });
                    }
                }
            } catch (e) {
                unreadable.push({ host, error: (e as Error).message });
            }
        }),
    );
    const order = [...new Set(planned.map((p) => p.host))];
    differences.sort((a, b) => order.indexOf(a.host) - order.indexOf(b.host));
    return { differences, notes: [...new Set(notes)].sort(), unreadable };
}

function usage(message: string): never {
    console.error(
        `drift: ${message}\nusage: npm run drift -- --stack NAME [--identity KEYFILE] [--known-hosts FILE] [--digests FILE] [--services a,b] [--timeout SECONDS]   (stacks: ${stackNames(ROOT).join(", ")})`,
    );
    process.exit(2);
}

function parseArgs(argv: readonly string[]): DriftOptions {
    const { args, timeoutMs } = toolArgs(argv, ["--stack", "--identity", "--known-hosts", "--digests", "--services", "--timeout"], usage);
    let digests: Record<string, string> | undefined;
    if (args.digests !== undefined) {
        try {
            digests = JSON.parse(fs.readFileSync(args.digests, "utf8"));
        } catch (e) {
            usage(`--digests ${args.digests}: ${(e as Error).message} (a JSON object: image tag → repository@sha256:…)`);
        }
    }
    return {
        stack: args.stack,
        identity: args.identity,
        knownHosts: args["known-hosts"],
        digests,
        services: args.services?.split(",").filter((s) => s !== ""),
        timeoutMs,
    };
}

if (require.main === module) {
    const options = parseArgs(process.argv.slice(2));
    checkDrift(options)
        .then((r) => {
            for (const n of r.notes) {
                console.error(`drift: note: ${n}`);
            }
            for (const u of r.unreadable) {
                console.error(`drift: ${u.host}: could not be read: ${u.error}`);
            }
            if (r.differences.length > 0) {
                console.log(formatDifferences(r.differences));
            }
            const hosts = new Set(r.differences.map((d) => d.host)).size;
            console.log(r.differences.length === 0 ? "drift: no differences" : `drift: ${r.differences.length} difference(s) on ${hosts} host(s)`);
            process.exit(r.unreadable.length > 0 ? 3 : r.differences.length > 0 ? 1 : 0);
        })
        .catch((e) => {
            console.error(e instanceof ConfigError ? e.message : `drift: ${(e as Error).message}`);
            process.exit(2);
        });
}
