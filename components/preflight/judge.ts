/**
 * Whether a host is ready for what the program will put on it: its facts (facts.ts) judged
 * against its plan (plan.ts). Pure. Each problem names the host, what is wrong and the fix; a
 * note says what could not be told.
 */
import { ContainerFact, HostFacts, Listener } from "./facts";
import { HANDED_OUT_KEYS, HostPlan, PlannedService } from "./plan";

export interface Finding {
    readonly host: string;
    /** `cgroups`, `docker`, `ports`, `data root`, `clock`, `systemd`. */
    readonly check: string;
    readonly what: string;
    /** How to mend it (problems only). */
    readonly fix?: string;
}

export interface HostVerdict {
    readonly problems: Finding[];
    readonly notes: Finding[];
}

/**
 * The Docker API range the agent's client can speak with its engine (images/agent/contract.yaml):
 * it negotiates down to 1.40, and speaks 1.44 to newer engines, the last API whose image inspect
 * has the ContainerConfig Mesos 1.7.1 reads of every task image.
 */
export const AGENT_API_FLOOR = "1.40";
export const AGENT_API_CEILING = "1.44";
/**
 * The least free space in the data root's filesystem: room for ZooKeeper's transaction logs
 * (preallocated 64 MiB at a time) and snapshots, every service's logs, the agents' sandboxes and
 * the registry's first images. A floor below which a deploy is sure to fail soon, not a sizing.
 */
export const MIN_FREE_KB = 2 * 1024 * 1024;

/** -1, 0, 1 as dotted version a is below, equal to, above b. */
export function compareVersions(a: string, b: string): number {
    const x = a.split(".").map(Number);
    const y = b.split(".").map(Number);
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
        const d = (x[i] ?? 0) - (y[i] ?? 0);
        if (d !== 0) {
            return Math.sign(d);
        }
    }
    return 0;
}

/** The addresses whose listener keeps a service from binding `address`: it, and the wildcards. */
function reaches(listener: Listener, address: string): boolean {
    return [address, `::ffff:${address}`, "0.0.0.0", "*", "::"].includes(listener.address);
}

const who = (l: Listener) => (l.processes.length === 0 ? `a listener on ${l.address}` : `${l.processes.map((p) => `${p.name} (pid ${p.pid})`).join(", ")} on ${l.address}`);

/**
 * Whether a listener on one of a service's ports is the service's own (a second run over a live
 * cluster): its container, by the program's name, runs; and when ss names the listening
 * processes and their cgroups could be read, one of them is in that container (its id in the
 * process's cgroup path). A port range the service hands to its tasks (the agent's) counts as
 * its own while its container runs. Undefined: its own; else what makes it foreign.
 */
export function foreignHolder(l: Listener, own: ContainerFact | undefined, handedOut: boolean, cgroupsOfPid: Readonly<Record<number, string>>): string | undefined {
    if (own === undefined || !own.running) {
        return `held by ${who(l)}, and the service's container is not running`;
    }
    if (handedOut) {
        return undefined;
    }
    const known = l.processes.filter((p) => (cgroupsOfPid[p.pid] ?? "").trim() !== "");
    if (known.length === 0 || known.some((p) => cgroupsOfPid[p.pid].includes(own.id))) {
        return undefined;
    }
    return `held by ${who(l)}, outside the service's running container`;
}

/** Port numbers as short text: `80`, `10000-10002, 10005`. */
function portList(ports: readonly number[]): string {
    const sorted = [...new Set(ports)].sort((a, b) => a - b);
    const runs: string[] = [];
    for (let i = 0; i < sorted.length; ) {
        let j = i;
        while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
        runs.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
        i = j + 1;
    }
    return runs.length > 6 ? `${runs.slice(0, 6).join(", ")} and ${runs.length - 6} more` : runs.join(", ");
}

function portFindings(plan: HostPlan, s: PlannedService, facts: HostFacts): Finding[] {
    const out: Finding[] = [];
    for (const b of s.ports) {
        const held = (facts.listeners ?? []).filter((l) => l.port >= b.first && l.port <= b.last && reaches(l, plan.address));
        const foreign = held.map((l) => ({ l, why: foreignHolder(l, facts.containers[s.containerName], HANDED_OUT_KEYS.includes(b.key), facts.cgroupsOfPid) })).filter((x) => x.why !== undefined);
        if (foreign.length === 0) {
            continue;
        }
        const whys = [...new Set(foreign.map((x) => x.why))];
        const range = b.first === b.last ? `port ${b.first}` : `ports ${b.first}-${b.last}`;
        out.push({
            host: plan.host,
            check: "ports",
            what: `${s.service}'s ${range} (${b.key}): ${foreign.length === 1 ? "port" : "ports"} ${portList(foreign.map((x) => x.l.port))} ${whys.join("; ")}`,
            fix: b.fixed === "program" ? `stop what holds it (no key moves this port)` : `stop what holds it, or move ${s.service} with ${b.key}`,
        });
    }
    return out;
}

function dockerFindings(plan: HostPlan, facts: HostFacts): Finding[] {
    const d = facts.docker;
    const host = plan.host;
    if (!d.answered) {
        return [
            {
                host,
                check: "docker",
                what: `the Docker engine does not answer: ${d.error}`,
                fix:
                    plan.runtime === "systemd"
                        ? "install Docker and start it; the deploy runs docker as root (sudo -n for sshUser)"
                        : "start the engine, and let the deploy's user reach its socket (/var/run/docker.sock: the docker group)",
            },
        ];
    }
    const agents = plan.services.filter((s) => s.dockerContainerizer).map((s) => s.service);
    if (agents.length === 0) {
        return [];
    }
    const out: Finding[] = [];
    const whose = `${agents.join(", ")}'s Docker containerizer`;
    if (d.apiVersion !== undefined && compareVersions(d.apiVersion, AGENT_API_FLOOR) < 0) {
        out.push({ host, check: "docker", what: `Docker ${d.version} speaks API ${d.apiVersion}, below ${AGENT_API_FLOOR}, the oldest ${whose} can speak`, fix: "upgrade Docker to 19.03 (API 1.40) or later" });
    }
    if (d.minApiVersion !== undefined && compareVersions(d.minApiVersion, AGENT_API_CEILING) > 0) {
        out.push({
            host,
            check: "docker",
            what: `Docker ${d.version} accepts API ${d.minApiVersion} and above only; ${whose} needs API ${AGENT_API_CEILING}, the last whose image inspect has the ContainerConfig Mesos 1.7.1 reads`,
            fix: `run an engine that still accepts API ${AGENT_API_CEILING} (Engine 29 does)`,
        });
    }
    if (d.containerdStore === true) {
        out.push({
            host,
            check: "docker",
            what: `the Docker engine keeps images in the containerd image store, whose image inspect lacks the ContainerConfig ${whose} reads of every task image`,
            fix: 'turn it off: "features": {"containerd-snapshotter": false} in /etc/docker/daemon.json, restart docker, pull the images again',
        });
    }
    return out;
}

function diskFindings(plan: HostPlan, facts: HostFacts): HostVerdict {
    const k = facts.disk;
    const host = plan.host;
    const problems: Finding[] = [];
    const notes: Finding[] = [];
    const where = k.checked === plan.dataRoot ? plan.dataRoot : `${plan.dataRoot} (not there yet; ${k.checked}, the folder it will be made in)`;
    if (k.rootKind === "other") {
        problems.push({ host, check: "data root", what: `${plan.dataRoot} exists and is not a folder`, fix: "move it away, or set dataRoot" });
    }
    if (k.availableKb === undefined) {
        problems.push({ host, check: "data root", what: `${where}: df could not tell its free space: ${k.dfError}`, fix: "check the filesystem, or set dataRoot" });
    } else if (k.availableKb < MIN_FREE_KB) {
        problems.push({
            host,
            check: "data root",
            what: `${where}: ${Math.floor(k.availableKb / 1024)} MiB free on ${k.mountedOn}, below the ${MIN_FREE_KB / 1024 / 1024} GiB the deploy needs at least`,
            fix: "free space there, or set dataRoot to a larger filesystem",
        });
    }
    if (k.write !== "ok") {
        if (plan.runtime === "docker" && facts.uid !== 0) {
            notes.push({ host, check: "data root", what: `${where}: not writable by this user (${k.write}); the engine, as root, makes and writes the data folders, which this check cannot try` });
        } else {
            problems.push({ host, check: "data root", what: `${where}: not writable: ${k.write}`, fix: "make it writable (a read-only mount? remount it read-write), or set dataRoot" });
        }
    }
    return { problems, notes };
}

/** Synchronised if any source says so; not, if one answered and none says so; else unknown. */
function clockFindings(plan: HostPlan, facts: HostFacts): HostVerdict {
    const c = facts.clock;
    const said = [
        ...(c.timedatectl === undefined ? [] : [`timedatectl NTPSynchronized=${c.timedatectl}`]),
        ...(c.timesync === undefined ? [] : ["systemd-timesyncd synchronized"]),
        ...(c.chronyc === undefined ? [] : [`chronyc leap status ${c.chronyc}`]),
    ];
    if (c.timedatectl === "yes" || c.timesync === "yes" || c.chronyc === "Normal") {
        return { problems: [], notes: [] };
    }
    if (said.length === 0) {
        return { problems: [], notes: [{ host: plan.host, check: "clock", what: "unknown: neither timedatectl, systemd-timesyncd nor chronyc could tell whether the clock is synchronised" }] };
    }
    return {
        problems: [{ host: plan.host, check: "clock", what: `not synchronised (${said.join(", ")})`, fix: "synchronise it: timedatectl set-ntp true (systemd-timesyncd), or chrony" }],
        notes: [],
    };
}

/** Every problem of one host, and what could not be told. */
export function judgeHost(plan: HostPlan, facts: HostFacts): HostVerdict {
    const host = plan.host;
    const problems: Finding[] = [];
    const notes: Finding[] = [];
    for (const s of plan.services.filter((x) => x.cgroupsIsolation !== undefined)) {
        if (facts.cgroupFs === "cgroup2fs") {
            // Not a problem: the agent's entrypoint runs it with Docker tasks only there (posix
            // isolation and launcher); said, so that no one expects the rest of it.
            notes.push({
                host,
                check: "cgroups",
                what: `cgroup v2 (/sys/fs/cgroup is cgroup2fs): ${s.service} will run Docker tasks only, with posix isolation in place of --isolation=${s.cgroupsIsolation} (chosen by its entrypoint: Mesos 1.7.1's cgroups isolators and Linux launcher mount only v1 hierarchies); for tasks without a Docker image and cgroups isolation, boot the host with systemd.unified_cgroup_hierarchy=0 (systemd before 256)`,
            });
        } else if (facts.cgroupFs !== "tmpfs" && facts.cgroupFs !== "cgroupfs") {
            notes.push({ host, check: "cgroups", what: `/sys/fs/cgroup is "${facts.cgroupFs}": neither cgroup v1 nor v2 could be told` });
        }
    }
    problems.push(...dockerFindings(plan, facts));
    if (plan.runtime === "systemd") {
        if (facts.dockerUnit === "") {
            problems.push({ host, check: "systemd", what: "no docker.service unit: every unit the program writes requires it (Requires=docker.service)", fix: "install Docker from its packages, which ship docker.service" });
        }
        if (facts.toolsMissing.length > 0) {
            problems.push({ host, check: "systemd", what: `missing ${facts.toolsMissing.join(", ")}, which the units' commands run`, fix: "install systemd and coreutils (diffutils for cmp)" });
        }
    }
    if (facts.listeners === undefined) {
        notes.push({ host, check: "ports", what: "ss is missing: which ports are free could not be told" });
    } else {
        for (const s of plan.services) {
            problems.push(...portFindings(plan, s, facts));
        }
    }
    for (const v of [diskFindings(plan, facts), clockFindings(plan, facts)]) {
        problems.push(...v.problems);
        notes.push(...v.notes);
    }
    return { problems, notes };
}

/** One line a finding: `HOST  CHECK  WHAT; fix: FIX`. */
export function formatFinding(f: Finding): string {
    return `${f.host}  ${f.check}  ${f.what}${f.fix === undefined ? "" : `; fix: ${f.fix}`}`;
}
