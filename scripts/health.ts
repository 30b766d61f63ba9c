/**
 * npm run health -- --stack NAME [--timeout SECONDS]
 *
 * Polls every health endpoint of a deployed stack from this machine and prints a table:
 * service, host, endpoint, status, latency. ZooKeeper must answer `srvr` with a mode; every
 * HTTP endpoint must answer 2xx. Exits 0 when all are healthy, 1 otherwise.
 */
import * as net from "net";
import * as path from "path";
import { ConfigError } from "../components/config";
import { clusterSpecs } from "../components/services";
import { HealthSpec, endpointText } from "../components/spec";
import { stackTopology } from "../components/topology";
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

async function check(endpoint: Endpoint, timeoutMs: number): Promise<{ ok: boolean; status: string }> {
    try {
        if (endpoint.kind === "zookeeper") {
            const mode = /^Mode: (\w+)$/m.exec(await srvr(endpoint.address, endpoint.port, timeoutMs))?.[1];
            return mode ? { ok: true, status: mode } : { ok: false, status: "no mode (not in a quorum)" };
        }
        const response = await fetch(endpoint.url, { signal: AbortSignal.timeout(timeoutMs), redirect: "manual" });
        return { ok: response.status >= 200 && response.status < 300, status: `HTTP ${response.status}` };
    } catch (e) {
        const err = e as Error & { cause?: { code?: string } };
        return { ok: false, status: err.cause?.code ?? err.message };
    }
}

/** Checks every endpoint of the stack, all at once. */
export async function checkStack(stack: string, timeoutMs = 5000): Promise<HealthRow[]> {
    const specs = clusterSpecs(stackTopology(readStackConfig(ROOT, stack).values, { requireSecrets: false }));
    const jobs = specs.flatMap((s) =>
        s.health.endpoints.map(async (endpoint) => {
            const t0 = Date.now();
            const result = await check(endpoint, timeoutMs);
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
    checkStack(stack, timeout * 1000)
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
