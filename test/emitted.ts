import { Evaluation, Registered, plain } from "./harness";

/**
 * A service as a runtime emitted it, read back from the registered resources alone: a
 * docker.Container's inputs, or the unit and env file in a remote.Command's stdin.
 */
export interface Emitted {
    /** `zookeeper`, `master`, `agent`, `marathon` or `chronos`. */
    readonly label: string;
    readonly host: string;
    readonly containerName: string;
    readonly image: string;
    readonly args: string[];
    readonly env: Record<string, string>;
    /** `HOST:CONTAINER[:ro]`. */
    readonly volumes: string[];
    readonly network: string;
    readonly privileged: boolean;
    readonly pidHost: boolean;
    /** Files the container reads, by path in the container (contents with secrets filled in). */
    readonly files: Record<string, { mode: string; content: string }>;
    /** The resource that carries it. */
    readonly resource: Registered;
}

/** Files in a CREATE_SCRIPT stdin: `MODE PATH BASE64` lines. */
export function bundleFiles(stdin: string): Map<string, { mode: string; content: string }> {
    const files = new Map<string, { mode: string; content: string }>();
    for (const line of stdin.split("\n").filter((l) => l !== "")) {
        const [mode, path, data = ""] = line.split(" ");
        files.set(path, { mode, content: Buffer.from(data, "base64").toString("utf8") });
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

function parseEnvFile(content: string): Record<string, string> {
    return Object.fromEntries(
        content
            .split("\n")
            .filter((l) => l !== "")
            .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
}

function fromContainer(e: Evaluation, c: Registered): Emitted {
    const [, label, host] = /^mesos-([a-z]+)-(.+)-container$/.exec(c.name) as RegExpExecArray;
    const i = c.inputs;
    return {
        label,
        host,
        containerName: i.name,
        image: e.byName(c.name.replace(/-container$/, "-image")).inputs.imageName,
        args: i.command,
        env: parseEnvFile((i.envs as string[]).join("\n")),
        volumes: (i.volumes as { hostPath: string; containerPath: string; readOnly: boolean }[]).map(
            (v) => `${v.hostPath}:${v.containerPath}${v.readOnly ? ":ro" : ""}`,
        ),
        network: i.networkMode,
        privileged: i.privileged === true,
        pidHost: i.pidMode === "host",
        files: Object.fromEntries(
            ((plain(i.uploads) ?? []) as { file: string; content: string; permissions: string }[]).map((u) => [u.file, { mode: u.permissions, content: u.content }]),
        ),
        resource: c,
    };
}

function fromCommand(c: Registered): Emitted {
    const [, label, host] = /^mesos-([a-z]+)-(.+)-unit$/.exec(c.name) as RegExpExecArray;
    const files = bundleFiles(plain(c.inputs.stdin));
    const unit = [...files.entries()].find(([p]) => p.endsWith(".service"));
    if (unit === undefined) {
        throw new Error(`${c.name}: no unit in its stdin`);
    }
    const words = execWords(unitValue(unit[1].content, "ExecStart") as string);
    expectWord(words[0] === "/usr/bin/docker" && words[1] === "run", c.name, words);
    let k = 2;
    const options: string[] = [];
    while (words[k].startsWith("--")) {
        options.push(words[k++]);
    }
    const option = (name: string) => options.filter((o) => o.startsWith(`--${name}=`)).map((o) => o.slice(name.length + 3));
    const [envFile] = option("env-file");
    // A bundled file mounted read-only is one of the service's files, not a data volume.
    const mounted = option("volume").map((v) => v.split(":"));
    const isFile = ([host, , ro]: string[]) => ro === "ro" && files.has(host);
    return {
        label,
        host,
        containerName: option("name")[0],
        image: words[k],
        args: words.slice(k + 1),
        env: parseEnvFile(files.get(envFile)?.content ?? ""),
        volumes: mounted.filter((m) => !isFile(m)).map((m) => m.join(":")),
        network: option("net")[0],
        privileged: options.includes("--privileged"),
        pidHost: option("pid")[0] === "host",
        files: Object.fromEntries(
            mounted.filter(isFile).map(([host, container]) => [container, files.get(host) as { mode: string; content: string }]),
        ),
        resource: c,
    };
}

function expectWord(ok: boolean, name: string, words: string[]): void {
    if (!ok) {
        throw new Error(`${name}: ExecStart is not "docker run ...": ${words.join(" ")}`);
    }
}

/** Every service the evaluation emitted, whichever runtime it used. */
export function emitted(e: Evaluation): Emitted[] {
    return [
        ...e.ofType("docker:index/container:Container").map((c) => fromContainer(e, c)),
        ...e.ofType("command:remote:Command").map(fromCommand),
    ];
}
