/** Helpers the service modules share. They know Mesos; nothing here knows Docker or SSH. */
import { ClusterConfig, fullKey } from "../config";
import { FileSpec, HealthSpec, ImageSpec, Template, VolumeSpec, text } from "../spec";
import { Host, PortRequest, Topology, dataRootOf, parseRange, portsOf } from "../topology/types";

/** A port moved by the config key `k`. */
export function keyPort(c: ClusterConfig, k: { [K in keyof ClusterConfig]: ClusterConfig[K] extends number ? K : never }[keyof ClusterConfig]): PortRequest {
    return { first: c[k], last: c[k], key: fullKey(k) };
}

/** A range of ports moved by the config key `k` ("LOW-HIGH"). */
export function keyRange(c: ClusterConfig, k: "agentTaskPorts" | "servicePorts"): PortRequest {
    return { ...parseRange(c[k]), key: fullKey(k) };
}

/** A port no key moves. */
export function fixedPort(port: number, what: string): PortRequest {
    return { first: port, last: port, key: `${what} (fixed)`, fixed: "program" };
}

/**
 * Container names carry their host so that hosts sharing one engine (and operators reading
 * `docker ps`) can tell them apart.
 */
export function containerName(t: Topology, service: string, host: Host): string {
    const name = `${t.config.containerPrefix}${service}-${host.name}`;
    if (name.startsWith("mesos-")) {
        // The prefix key refuses such prefixes; this guards the invariant for every caller.
        throw new Error(`container name "${name}" starts with "mesos-"; an agent would kill it`);
    }
    return name;
}

/** The image a service runs, built from `images/<service>/`. */
export function imageOf(service: string, version: string, local = false): ImageSpec {
    return { context: service, repository: `mesos-cluster/${service}`, tag: version, ...(local ? { local: true } : {}) };
}

/**
 * What every spec of `service` on `host` starts from: its container's name, its image, the
 * ports the topology placed for it, unprivileged. A spec overrides what differs.
 */
export function specBase(t: Topology, host: Host, service: string, version: string, localImage = false) {
    return {
        service,
        host,
        containerName: containerName(t, service, host),
        image: imageOf(service, version, localImage),
        ports: portsOf(t, service, host),
        privileged: false,
        pidHost: false,
    };
}

/** A persistent host directory for `service` under the data root. */
export function dataVolume(t: Topology, host: Host, service: string, sub: string, container: string): VolumeSpec {
    return { host: `${dataRootOf(t, host)}/${service}/${sub}`, container };
}

/** The user a service's process runs as, in its image (images/<service>/contract.yaml). */
export interface ServiceUser {
    readonly uid: number;
    readonly gid: number;
}
export const ROOT_USER: ServiceUser = { uid: 0, gid: 0 };

/**
 * A read-only file for `service`, kept on the host under its data root and owned by the user
 * the service runs as; 0600 unless it holds nothing secret.
 */
export function configFile(t: Topology, host: Host, service: string, container: string, content: Template | string, mode = "0600", user: ServiceUser = ROOT_USER): FileSpec {
    // A string is text: whatever it holds, nothing in it is filled in.
    const template = typeof content === "string" ? text(content) : content;
    return { container, host: `${dataRootOf(t, host)}/${service}/config/${container.split("/").pop()}`, mode, uid: user.uid, gid: user.gid, template };
}

/** An HTTP check of a service: a path on one of its ports, answering 2xx (or redirecting, for `redirect`). */
export interface HttpCheck {
    readonly port: number;
    readonly path: string;
    /** Must redirect somewhere: a leader is known. Checked inside the container only. */
    readonly redirect?: boolean;
    /** A line of the body must match this (an awk regular expression): a leader is named. Checked inside the container only. */
    readonly body?: string;
    /**
     * The service requires a login: a file in the container holding `user:password` (no
     * newline), sent as basic authentication. Read when the check runs, so the password is in
     * no argument of the check, and outside, `npm run health` sends the operator's login.
     */
    readonly basicAuthFile?: string;
}

/**
 * A bash check's basic authentication from a file holding `user:password`: `readLogin` reads it
 * into $auth (before the request), `header` is the request's header line with a printf slot, and
 * `loginArg` fills that slot, so the password is in no process's arguments. All empty without a file.
 */
export function bashBasicAuth(loginFile: string | undefined): { readLogin: string; header: string; loginArg: string } {
    if (loginFile === undefined) {
        return { readLogin: "", header: "", loginArg: "" };
    }
    if (!/^\/[A-Za-z0-9_./-]+$/.test(loginFile)) {
        throw new Error(`a login file must be a plain absolute path: ${loginFile}`);
    }
    return { readLogin: `auth=$(base64 -w 0 < ${loginFile}) && `, header: "Authorization: Basic %s\\r\\n", loginArg: ' "$auth"' };
}

/**
 * An HTTP check that needs nothing in the image but bash (and, with a login, coreutils'
 * base64): a request over bash's /dev/tcp, and the status line must be 2xx (or, with
 * `redirect`, a 3xx with a Location: a leader is known), and with `body` a line of the body
 * must match it. With `basicAuthFile`, the login is read from that file into a variable of the
 * shell and sent from there by bash's own printf: it is in no process's arguments.
 * The upstream images have no curl, and their archived distributions cannot install it.
 */
export function bashHttpCheck(address: string, check: HttpCheck): string {
    const status = check.redirect ? "3[0-9][0-9]" : "2[0-9][0-9]";
    const conditions = ["ok", ...(check.redirect ? ["loc"] : []), ...(check.body === undefined ? [] : ["body"])];
    if (check.body !== undefined && /['\n]/.test(check.body)) {
        throw new Error(`a body pattern cannot hold a quote or a newline: ${check.body}`);
    }
    const { readLogin, header, loginArg } = bashBasicAuth(check.basicAuthFile);
    return (
        `${readLogin}exec 3<>/dev/tcp/${address}/${check.port} && printf 'GET ${check.path} HTTP/1.0\\r\\nHost: ${address}\\r\\n${header}\\r\\n'${loginArg} >&3 && ` +
        `timeout 5 cat <&3 | head -c 4096 | tr -d '\\r' | awk 'NR==1 { ok = ($2 ~ /^${status}$/) } ` +
        `${check.redirect ? "/^[Ll]ocation: ./ { loc = 1 } " : ""}` +
        `${check.body === undefined ? "" : `/^$/ { inbody = 1 } inbody && /${check.body}/ { body = 1 } `}` +
        `END { exit !(${conditions.join(" && ")}) }'`
    );
}

/**
 * Readiness from HTTP checks: outside (`npm run health`), each non-redirect URL must answer 2xx;
 * inside the container, bash checks all of them, then each bash check of `alsoInside`.
 */
export function httpHealth(t: Topology, host: Host, checks: readonly HttpCheck[], alsoInside: readonly string[] = []): HealthSpec {
    return {
        endpoints: checks
            .filter((c) => !c.redirect && c.body === undefined)
            .map((c) => ({ kind: "http" as const, url: `http://${host.address}:${c.port}${c.path}`, ...(c.basicAuthFile === undefined ? {} : { login: true }) })),
        command: ["bash", "-c", [...checks.map((c) => bashHttpCheck(host.address, c)), ...alsoInside].map((check) => `(${check})`).join(" && ")],
        timeoutSeconds: t.config.readinessTimeoutSeconds,
    };
}

/** Where every libmesos process learns the address it binds and advertises. */
export function libprocessEnv(host: Host): Record<string, string> {
    return { LIBPROCESS_IP: host.address };
}
