/**
 * npm run health -- --stack NAME [--timeout SECONDS]
 *
 * Polls every health endpoint of a deployed stack from this machine and prints a table:
 * service, host, endpoint, status, latency. ZooKeeper must answer `srvr` with a mode; every
 * HTTP endpoint must answer 2xx. Exits 0 when all are healthy, 1 otherwise.
 *
 * Endpoints behind the operator's login (with authentication: Marathon, Chronos, Bamboo) get
 * it sent. The password is a secret of the stack, so it comes from MESOS_CLUSTER_OPERATOR_PASSWORD
 * when that is set, or else from `pulumi stack output operatorPassword --show-secrets` when the
 * Pulumi CLI is installed; without either they are asked without it (and answer 401).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { ConfigError } from "../components/config";
import { clusterSpecs } from "../components/services";
import { OPERATOR_USER } from "../components/services/credentials";
import { HealthSpec, endpointText } from "../components/spec";
import { stackTopology } from "../components/composition";
import { readStackConfig, stackNames } from "./stackFile";

const ROOT = path.resolve(__dirname, "..");

export interface HealthRow {
    readonly service: string;
    readonly host: string;
    readonly endpoint: string;
    readonly ok: boolean;
    /** `leader`, `HTTP 200`, or why it failed. */
    readonly status: string;
    readonly latencyMs: number;
}

type Endpoint = HealthSpec["endpoints"][number];

function srvr(address: string, port: number, timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
        const socket = net.connect({ host: address, port });
        let data = "";
        socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer in ${timeoutMs} ms`)));
        socket.on("connect", () => socket.end("srvr\n"));
        socket.on("data", (chunk) => (data += chunk.toString()));
        socket.on("error", reject);
        socket.on("close", () => resolve(data));
    });
}

/** The variable `npm run health` reads the operator's password from, before it asks the Pulumi CLI. */
export const OPERATOR_PASSWORD_ENV = "MESOS_CLUSTER_OPERATOR_PASSWORD";
const NO_PASSWORD = `no operator password: set ${OPERATOR_PASSWORD_ENV}, or install the Pulumi CLI`;

/**
 * The operator's password of a deployed stack: MESOS_CLUSTER_OPERATOR_PASSWORD, or the stack
 * output through the Pulumi CLI (for dev, from the file backend `npm run up:dev` keeps in
 * .pulumi-state, with its empty passphrase, unless the environment names others); undefined
 * when neither gives one.
 */
export function operatorPassword(stack: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
    if (env[OPERATOR_PASSWORD_ENV]) {
        return env[OPERATOR_PASSWORD_ENV];
    }
    const state = path.join(ROOT, ".pulumi-state");
    const dev = stack === "dev" && fs.existsSync(state) ? { PULUMI_BACKEND_URL: env.PULUMI_BACKEND_URL ?? `file://${state}`, PULUMI_CONFIG_PASSPHRASE: env.PULUMI_CONFIG_PASSPHRASE ?? "" } : {};
    // Its output is the password: captured, never printed.
    const r = spawnSync("pulumi", ["stack", "output", "operatorPassword", "--show-secrets", "--non-interactive", "--stack", stack], {
        cwd: ROOT,
        env: { ...env, ...dev },
        encoding: "utf8",
        timeout: 60_000,
    });
    const password = r.status === 0 ? r.stdout.trim() : "";
    return password === "" ? undefined : password;
}

/** One endpoint's answer; `password`: the operator's, sent to the endpoints that need the login. */
export async function checkEndpoint(endpoint: Endpoint, timeoutMs: number, password?: string): Promise<{ ok: boolean; status: string }> {
    try {
        if (endpoint.kind === "zookeeper") {
            const mode = /^Mode: (\w+)$/m.exec(await srvr(endpoint.address, endpoint.port, timeoutMs))?.[1];
            return mode ? { ok: true, status: mode } : { ok: false, status: "no mode (not in a quorum)" };
        }
        const login = endpoint.login === true && password !== undefined;
        const headers: Record<string, string> = login ? { Authorization: `Basic ${Buffer.from(`${OPERATOR_USER}:${password}`).toString("base64")}` } : {};
        const response = await fetch(endpoint.url, { signal: AbortSignal.timeout(timeoutMs), redirect: "manual", headers });
        const hint = response.status === 401 && endpoint.login === true ? ` (${login ? "the operator's password was refused" : NO_PASSWORD})` : "";
        return { ok: response.status >= 200 && response.status < 300, status: `HTTP ${response.status}${hint}` };
    } catch (e) {
        const err = e as Error & { cause?: { code?: string } };
        return { ok: false, status: err.cause?.code ?? err.message };
    }
}

/**
 * Checks every endpoint of the stack, all at once. `password` is asked for once, only if an
 * endpoint needs the operator's login.
 */
export async function checkStack(stack: string, timeoutMs = 5000, password: () => string | undefined = () => undefined): Promise<HealthRow[]> {
    const specs = clusterSpecs(stackTopology(readStackConfig(ROOT, stack).values, { requireSecrets: false }));
    const needsLogin = specs.some((s) => s.health.endpoints.some((e) => e.kind === "http" && e.login === true));
    const operator = needsLogin ? password() : undefined;
    const jobs = specs.flatMap((s) =>
        s.health.endpoints.map(async (endpoint) => {
            const t0 = Date.now();
            const result = await checkEndpoint(endpoint, timeoutMs, operator);
            return { service: s.service, host: s.host.name, endpoint: endpointText(endpoint), ...result, latencyMs: Date.now() - t0 };
        }),
    );
    return Promise.all(jobs);
}

export function formatTable(rows: readonly HealthRow[]): string {
    const header = ["SERVICE", "HOST", "ENDPOINT", "STATUS", "LATENCY"];
    const cells = rows.map((r) => [r.service, r.host, r.endpoint, `${r.ok ? "ok" : "DOWN"} ${r.status}`, `${r.latencyMs} ms`]);
    const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
    return [header, ...cells].map((row) => row.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd()).join("\n");
}

if (require.main === module) {
    const args = process.argv.slice(2);
    const stack = args[args.indexOf("--stack") + 1];
    const timeout = args.includes("--timeout") ? Number(args[args.indexOf("--timeout") + 1]) : 5;
    if (!args.includes("--stack") || stack === undefined || !(timeout > 0)) {
        console.error(`health: usage: npm run health -- --stack NAME [--timeout SECONDS]   (stacks: ${stackNames(ROOT).join(", ")})`);
        process.exit(2);
    }
    checkStack(stack, timeout * 1000, () => operatorPassword(stack))
        .then((rows) => {
            console.log(formatTable(rows));
            const down = rows.filter((r) => !r.ok).length;
            console.log(`\n${rows.length - down} of ${rows.length} endpoints healthy`);
            process.exit(down === 0 ? 0 : 1);
        })
        .catch((e) => {
            console.error(e instanceof ConfigError ? e.message : e);
            process.exit(2);
        });
}
