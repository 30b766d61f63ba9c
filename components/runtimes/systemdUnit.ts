/** The files the systemd runtime writes on a host for a spec: its unit, env file and pull login. */
import { HostFile, SERVICE_LABEL_KEY, ServiceSpec, Template, argsFor, envList, secretRef, text } from "../spec";
import { shellProgram } from "./shellProgram";

/** Where units and their env files live on a host. */
export const UNIT_DIR = "/etc/systemd/system";
export const CONFIG_DIR = "/etc/mesos-cluster";
const DOCKER = "/usr/bin/docker";

export const unitName = (spec: ServiceSpec) => `${spec.containerName}.service`;
export const unitPath = (spec: ServiceSpec) => `${UNIT_DIR}/${unitName(spec)}`;
export const envFilePath = (spec: ServiceSpec) => `${CONFIG_DIR}/${spec.containerName}.env`;
/** A service's own Docker client config folder, holding the registry login (each unit has its own, so removing one leaves the others'). */
export const dockerConfigDir = (spec: ServiceSpec) => `${CONFIG_DIR}/${spec.containerName}.docker`;

/**
 * Whether a service's image is pulled: false (the host's engine has it), true (from the
 * registry, anonymously), or with the login in a Docker client config folder.
 */
export type Pull = boolean | { readonly configDir: string };

/** How the systemd runtime gets a spec's image, given the stack's registry and whether it wants a login. */
export function pullFrom(spec: ServiceSpec, registry: string, login: boolean): Pull {
    if (registry === "" || spec.image.local === true) {
        return false;
    }
    return login ? { configDir: dockerConfigDir(spec) } : true;
}

/**
 * The `docker run` arguments that run a spec in the foreground under systemd: `--rm` and a
 * fixed name, host networking, no restart policy (systemd is the one supervisor).
 */
export function dockerRunArgs(spec: ServiceSpec, image: string): string[] {
    return [
        "run",
        "--rm",
        `--name=${spec.containerName}`,
        "--net=host",
        `--label=${SERVICE_LABEL_KEY}=${spec.service}`,
        ...(spec.pidHost ? ["--pid=host"] : []),
        ...(spec.privileged ? ["--privileged"] : []),
        `--env-file=${envFilePath(spec)}`,
        ...spec.volumes.map((v) => `--volume=${v.host}:${v.container}${v.readOnly ? ":ro" : ""}`),
        ...spec.files.map((f) => `--volume=${f.host}:${f.container}:ro`),
        image,
        ...argsFor(spec, image),
    ];
}

/**
 * One word of an Exec line: systemd expands `%` specifiers and `$` variables, so both are
 * doubled; words with blanks, quotes or backslashes are double-quoted with C escapes.
 */
export function execWord(word: string): string {
    const escaped = word.replace(/%/g, "%%").replace(/\$/g, "$$$$");
    if (escaped !== "" && !/[\s"'\\;]/.test(escaped)) {
        return escaped;
    }
    return `"${escaped.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

const execLine = (words: readonly string[]) => words.map(execWord).join(" \\\n    ");

/**
 * Frees the name of container `$1` (free-name.sh, which says why and how). An Exec line is one
 * line: the file's lines are joined with "; ".
 */
export const FREE_NAME = shellProgram("free-name.sh", { DOCKER }).split("\n").join("; ");

/**
 * The unit that runs a spec's container: docker's client in the foreground, supervised by
 * systemd. It never pulls: the create step pulls once, so that a restart runs the image that
 * was rolled out, and needs no registry.
 */
export function renderUnit(spec: ServiceSpec, image: string): string {
    const name = spec.containerName;
    return [
        `# Managed by mesos-cluster (Pulumi): ${spec.service} on ${spec.host.name} (${spec.host.address}).`,
        "# Local edits are overwritten by the next `pulumi up`.",
        "[Unit]",
        `Description=mesos-cluster ${spec.service} (${name})`,
        "After=docker.service network-online.target",
        "Wants=network-online.target",
        "Requires=docker.service",
        "",
        "[Service]",
        "Type=simple",
        // The name must be free before `docker run`: a container left by a crash holds it, and so
        // does the one just stopped, for a while: Docker removes a `--rm` container after `docker
        // stop` returns, and `docker rm -f` of one being removed fails at once.
        `ExecStartPre=/bin/sh -c ${execWord(FREE_NAME)} free-name ${execWord(name)}`,
        `ExecStart=${DOCKER} ${execLine(dockerRunArgs(spec, image))}`,
        `ExecStop=${DOCKER} stop ${execWord(name)}`,
        // `docker stop` ends the client with the container's status: 143 for a JVM on SIGTERM.
        "SuccessExitStatus=143",
        "Restart=always",
        "RestartSec=10",
        // Image pulls can take minutes.
        "TimeoutStartSec=0",
        "",
        "[Install]",
        "WantedBy=multi-user.target",
        "",
    ].join("\n");
}

/** `docker run --env-file` content: one KEY=VALUE a line, taken literally. */
export function renderEnvFile(spec: ServiceSpec): string {
    const lines = envList(spec.env);
    for (const line of lines) {
        if (line.includes("\n")) {
            throw new Error(`${spec.containerName}: env ${line.split("=")[0]} holds a newline, which an env file cannot carry`);
        }
    }
    return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

/** The placeholder of the Docker client config that logs the host's pulls in (the runtime fills it). */
export const PULL_LOGIN = "pull-login";

/** A file the systemd runtime writes on a host, before its secrets are filled in. */
export interface HostFileTemplate extends Omit<HostFile, "content"> {
    readonly template: Template;
}

/**
 * Every file the systemd runtime writes for a spec, in write order (the unit last). The
 * spec's own files keep their secrets' slots; the unit and env file are text, whatever the
 * operator's values in them read like.
 */
export function hostFiles(spec: ServiceSpec, image: string, pull: Pull): HostFileTemplate[] {
    return [
        ...spec.files.map((f) => ({ path: f.host, mode: f.mode, uid: f.uid, gid: f.gid, template: f.template })),
        ...(typeof pull === "object" ? [{ path: `${pull.configDir}/config.json`, mode: "0600", template: secretRef(PULL_LOGIN) }] : []),
        { path: envFilePath(spec), mode: "0600", template: text(renderEnvFile(spec)) },
        { path: unitPath(spec), mode: "0644", template: text(renderUnit(spec, image)) },
    ];
}
