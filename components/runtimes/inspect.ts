/* eslint-disable @typescript-eslint/no-explicit-any -- resource inputs are untyped JSON, read defensively */
/**
 * Reads a runtime's resources back as a service view: what container runs, with what
 * arguments, environment, mounts and supervision. The inverse of the runtimes, for the policy
 * pack (which sees only resource inputs) and for tests. Knows Docker and systemd, not Mesos.
 */

import { SERVICE_LABEL_KEY } from "../spec";

export const CONTAINER_TYPE = "docker:index/container:Container";
export const COMMAND_TYPE = "command:remote:Command";

/** A service as its resource's inputs describe it. */
export interface ServiceView {
    readonly containerName: string;
    /** The service label (`zookeeper`, `master`, …); "" if absent. */
    readonly service: string;
    readonly image: string;
    readonly args: string[];
    readonly env: Record<string, string>;
    /** Data volumes as `HOST:CONTAINER[:ro]` (the service's own read-only files excluded). */
    readonly volumes: string[];
    /** Files mounted or copied in, by path in the container. */
    readonly files: Record<string, FileView>;
    readonly labels: Record<string, string>;
    readonly network: string;
    readonly privileged: boolean;
    readonly pidHost: boolean;
    /** The supervisor's restart policy: Docker's `restart`, or the unit's `Restart=`. */
    readonly restart: string;
}

/** A file a service reads: its mode, numeric owner and content. */
export interface FileView {
    readonly mode: string;
    readonly uid: number;
    readonly gid: number;
    readonly content: string;
}

/** Files in a systemd create command's stdin: `MODE UID GID PATH BASE64` lines. */
export function parseBundle(stdin: string): Map<string, FileView> {
    const files = new Map<string, FileView>();
    for (const line of stdin.split("\n").filter((l) => l !== "")) {
        const [mode, uid, gid, path, data = ""] = line.split(" ");
        files.set(path, { mode, uid: Number(uid), gid: Number(gid), content: Buffer.from(data, "base64").toString("utf8") });
    }
    return files;
}

/** Splits a systemd Exec line into words, undoing its quoting, `%%` and `$$`. */
export function execWords(line: string): string[] {
    const text = line.replace(/ \\\n\s*/g, " ");
    const words: string[] = [];
    const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        const word = m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : m[2];
        words.push(word.replace(/%%/g, "%").replace(/\$\$/g, "$"));
    }
    return words;
}

/** The value of `Key=` in a unit (the first, continuation lines joined). */
export function unitValue(unit: string, key: string): string | undefined {
    const joined = unit.replace(/ \\\n\s*/g, " ");
    return new RegExp(`^${key}=(.*)$`, "m").exec(joined)?.[1];
}

/** `KEY=VALUE` lines (an env file, or Docker's `envs`) as a map. */
export function parseEnv(lines: readonly string[]): Record<string, string> {
    return Object.fromEntries(lines.filter((l) => l !== "").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
}

const labelsOf = (pairs: readonly string[]) => parseEnv(pairs);

function fromContainer(props: Record<string, any>): ServiceView {
    const labels = Object.fromEntries(((props.labels ?? []) as { label: string; value: string }[]).map((l) => [l.label, l.value]));
    return {
        containerName: props.name ?? "",
        service: labels[SERVICE_LABEL_KEY] ?? "",
        image: props.image ?? "",
        args: props.command ?? [],
        env: parseEnv(props.envs ?? []),
        volumes: ((props.volumes ?? []) as { hostPath: string; containerPath: string; readOnly?: boolean }[]).map(
            (v) => `${v.hostPath}:${v.containerPath}${v.readOnly ? ":ro" : ""}`,
        ),
        files: Object.fromEntries(
            ((props.uploads ?? []) as { file: string; content: string; permissions: string; owner?: string; group?: string }[]).map((u) => [
                u.file,
                { mode: u.permissions, uid: Number(u.owner ?? 0), gid: Number(u.group ?? 0), content: u.content },
            ]),
        ),
        labels,
        network: props.networkMode ?? "",
        privileged: props.privileged === true,
        pidHost: props.pidMode === "host",
        restart: props.restart ?? "no",
    };
}

function fromCommand(props: Record<string, any>): ServiceView | undefined {
    if (typeof props.stdin !== "string") {
        return undefined;
    }
    const files = parseBundle(props.stdin);
    const unit = [...files.entries()].find(([p]) => p.endsWith(".service"))?.[1].content;
    const start = unit === undefined ? undefined : unitValue(unit, "ExecStart");
    if (unit === undefined || start === undefined) {
        return undefined;
    }
    const words = execWords(start);
    if (words[1] !== "run") {
        return undefined;
    }
    let k = 2;
    const options: string[] = [];
    while (k < words.length && words[k].startsWith("--")) {
        options.push(words[k++]);
    }
    const option = (name: string) => options.filter((o) => o.startsWith(`--${name}=`)).map((o) => o.slice(name.length + 3));
    const mounted = option("volume").map((v) => v.split(":"));
    // A bundled file mounted read-only is one of the service's files, not a data volume.
    const isFile = ([host, , ro]: string[]) => ro === "ro" && files.has(host);
    const labels = labelsOf(option("label"));
    return {
        containerName: option("name")[0] ?? "",
        service: labels[SERVICE_LABEL_KEY] ?? "",
        image: words[k] ?? "",
        args: words.slice(k + 1),
        env: parseEnv((files.get(option("env-file")[0] ?? "")?.content ?? "").split("\n")),
        volumes: mounted.filter((m) => !isFile(m)).map((m) => m.join(":")),
        files: Object.fromEntries(mounted.filter(isFile).map(([host, container]) => [container, files.get(host) as FileView])),
        labels,
        network: option("net")[0] ?? "",
        privileged: options.includes("--privileged"),
        pidHost: option("pid")[0] === "host",
        restart: unitValue(unit, "Restart") ?? "no",
    };
}

/**
 * The service a resource runs, or undefined for resources that run none (and for values not
 * known yet, as in a preview before a secret is generated).
 */
export function inspectService(type: string, props: Record<string, any>): ServiceView | undefined {
    if (type === CONTAINER_TYPE) {
        return fromContainer(props);
    }
    if (type === COMMAND_TYPE) {
        return fromCommand(props);
    }
    return undefined;
}
