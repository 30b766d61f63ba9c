/**
 * What a host told `npm run preflight`: the records scripts/preflight.sh prints (`KEY[:SUBJECT]
 * BASE64`, one a line, `END` last), parsed into plain facts. Pure: no SSH, no Docker.
 */

/** A TCP listener as `ss -ltnpH` shows it. */
export interface Listener {
    /** The local address without brackets or `%interface`: `127.0.0.1`, `0.0.0.0`, `*`, `::`. */
    readonly address: string;
    readonly port: number;
    /** The processes ss names (only those the reader may see: all of them as root). */
    readonly processes: readonly { readonly name: string; readonly pid: number }[];
}

/** A container of the program's name on the host's engine, as `docker container inspect` shows it. */
export interface ContainerFact {
    readonly running: boolean;
    readonly id: string;
    readonly networkMode: string;
}

/** The Docker engine, as `docker version` and `docker info` show it. */
export interface DockerFact {
    /** Whether the engine answered; when it did not, `error` holds what the client said. */
    readonly answered: boolean;
    readonly error?: string;
    readonly version?: string;
    readonly apiVersion?: string;
    readonly minApiVersion?: string;
    /** The storage driver, and whether images are kept in containerd's store. */
    readonly driver?: string;
    readonly containerdStore?: boolean;
}

/** The data root's filesystem: `df -Pk` of the data root or the nearest folder above it that exists. */
export interface DiskFact {
    /** The folder examined (the data root, or the nearest existing folder above it). */
    readonly checked: string;
    /** `dir` the data root exists, `absent` it does not yet, `other` it is something else than a folder. */
    readonly rootKind: "dir" | "absent" | "other";
    /** KiB free, undefined when df could not tell. */
    readonly availableKb?: number;
    readonly mountedOn?: string;
    readonly dfError?: string;
    /** "ok", or what the write test met. */
    readonly write: string;
}

/** What each clock source said: "yes", "no", or undefined when it could not be asked. */
export interface ClockFact {
    /** `timedatectl show -p NTPSynchronized --value`. */
    readonly timedatectl?: string;
    /** `/run/systemd/timesync/synchronized` exists (systemd-timesyncd). */
    readonly timesync?: string;
    /** chronyc tracking's leap status (`Normal`, `Not synchronised`, …). */
    readonly chronyc?: string;
}

export interface HostFacts {
    readonly uid: number;
    /** `stat -fc %T /sys/fs/cgroup`: `cgroup2fs` is v2; `tmpfs` holds v1 hierarchies. */
    readonly cgroupFs: string;
    readonly docker: DockerFact;
    /** By the program's container name; undefined: no such container. */
    readonly containers: Readonly<Record<string, ContainerFact | undefined>>;
    /** undefined: ss is missing. */
    readonly listeners?: readonly Listener[];
    /** /proc/PID/cgroup of each listening process. */
    readonly cgroupsOfPid: Readonly<Record<number, string>>;
    readonly disk: DiskFact;
    readonly clock: ClockFact;
    /** docker.service as `systemctl list-unit-files` lists it; "" not there (or no systemctl). */
    readonly dockerUnit: string;
    /** Tools the systemd runtime's unit commands run that the host lacks. */
    readonly toolsMissing: readonly string[];
}

const unb64 = (s: string) => Buffer.from(s, "base64").toString("utf8");

/** `ss -ltnH` / `-ltnpH` lines: the local address and port, and the processes named. */
export function parseListeners(text: string): Listener[] {
    const out: Listener[] = [];
    for (const line of text.split("\n")) {
        const cols = line.trim().split(/\s+/);
        // State Recv-Q Send-Q Local:Port Peer:Port [Process]; -H drops the header.
        if (cols.length < 5 || cols[0] !== "LISTEN") {
            continue;
        }
        const local = cols[3];
        const colon = local.lastIndexOf(":");
        const port = Number(local.slice(colon + 1));
        if (colon < 0 || !Number.isInteger(port)) {
            continue;
        }
        const address = local
            .slice(0, colon)
            .replace(/^\[(.*)\]$/, "$1")
            .replace(/%.*$/, "");
        const processes = [...line.matchAll(/\("([^"]*)",pid=(\d+)/g)].map((m) => ({ name: m[1], pid: Number(m[2]) }));
        out.push({ address, port, processes });
    }
    return out;
}

/** `df -Pk` output: the data line's available KiB and mount point. */
export function parseDf(text: string): { availableKb?: number; mountedOn?: string; error?: string } {
    const lines = text.split("\n").filter((l) => l.trim() !== "");
    const data = lines.length === 2 && lines[0].startsWith("Filesystem") ? lines[1].trim().split(/\s+/) : undefined;
    if (data === undefined || data.length < 6 || !/^\d+$/.test(data[3])) {
        return { error: text.trim() || "df printed nothing" };
    }
    return { availableKb: Number(data[3]), mountedOn: data.slice(5).join(" ") };
}

/**
 * `docker version --format '{{json .}}'` after its exit status (a line), and `docker info --format
 * '{{json .}}'`. The containerd image store shows as a DriverStatus entry `driver-type
 * io.containerd.snapshotter.v1` (moby daemon/info.go, with the containerd snapshotter feature on).
 */
export function parseDocker(versionRecord: string, infoText: string): DockerFact {
    const [status, ...rest] = versionRecord.split("\n");
    const body = rest.join("\n");
    const jsonLine = rest.find((l) => l.startsWith("{"));
    let server: { Version?: string; ApiVersion?: string; MinAPIVersion?: string } | null | undefined;
    try {
        server = jsonLine === undefined ? undefined : JSON.parse(jsonLine).Server;
    } catch {
        server = undefined;
    }
    if (status !== "0" || server === null || server === undefined) {
        const said = rest.filter((l) => !l.startsWith("{")).join(" ").trim();
        return { answered: false, error: said || body.trim() || `docker version exited with ${status}` };
    }
    let info: { Driver?: string; DriverStatus?: [string, string][] | null } = {};
    try {
        info = infoText.trim() === "" ? {} : JSON.parse(infoText);
    } catch {
        info = {};
    }
    const containerdStore = (info.DriverStatus ?? []).some(([k, v]) => k === "driver-type" && v.startsWith("io.containerd.snapshotter"));
    return { answered: true, version: server.Version, apiVersion: server.ApiVersion, minApiVersion: server.MinAPIVersion, driver: info.Driver, containerdStore };
}

/** The records of one host's answer; an answer without `END` was cut short. */
export function parseFacts(out: string): HostFacts {
    const lines = out.split("\n");
    if (!lines.includes("END")) {
        throw new Error("the host's answer ended early");
    }
    const records = new Map<string, string>();
    for (const line of lines) {
        const space = line.indexOf(" ");
        if (space > 0) {
            records.set(line.slice(0, space), unb64(line.slice(space + 1)));
        } else if (line !== "" && line !== "END") {
            records.set(line, "");
        }
    }
    const get = (k: string) => records.get(k) ?? "";
    const opt = (k: string) => (get(k).trim() === "" ? undefined : get(k).trim());
    const containers: Record<string, ContainerFact | undefined> = {};
    const cgroupsOfPid: Record<number, string> = {};
    for (const [key, value] of records) {
        if (key.startsWith("container:")) {
            const [running, id, networkMode] = value.trim().split(" ");
            containers[key.slice("container:".length)] = value.trim() === "" ? undefined : { running: running === "true", id, networkMode };
        } else if (key.startsWith("pid:")) {
            cgroupsOfPid[Number(key.slice("pid:".length))] = value;
        }
    }
    const df = parseDf(get("df"));
    const kind = get("root-kind").trim();
    return {
        uid: Number(get("uid").trim()),
        cgroupFs: get("cgroup").trim(),
        docker: parseDocker(get("docker-version"), get("docker-info")),
        containers,
        listeners: records.has("listen-missing") ? undefined : parseListeners(get("listen")),
        cgroupsOfPid,
        disk: {
            checked: get("root-checked").trim(),
            rootKind: kind === "dir" || kind === "other" ? kind : "absent",
            availableKb: df.availableKb,
            mountedOn: df.mountedOn,
            dfError: df.error,
            write: get("write").trim(),
        },
        clock: { timedatectl: opt("clock-timedatectl"), timesync: opt("clock-timesync"), chronyc: opt("clock-chronyc") },
        dockerUnit: get("systemd").trim(),
        toolsMissing: get("tools-missing").trim() === "" ? [] : get("tools-missing").trim().split(/\s+/),
    };
}
