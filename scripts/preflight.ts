/**
 * npm run preflight -- --stack NAME [--identity KEYFILE] [--known-hosts FILE] [--timeout SECONDS]
 *
 * Before anything is created on a host: reads every host of the stack over the connection the
 * deploy uses (the systemd runtime's SSH with `sudo -n` unless root, scripts/ssh.ts; the docker
 * runtime's engine over SSH as sshUser; or this machine's shell for the local engine), one shell
 * program per host (scripts/preflight.sh), and judges what it prints (components/preflight):
 * cgroup version, Docker engine and image store, the ports each host's services bind, the data
 * root's space and writability, the clock. Prints every host's problems, each with the host, what
 * is wrong and the fix, then what could not be told; exits 1 on any problem (a host that cannot be
 * reached is one), 0 on none, 2 for bad usage or a stack the program refuses. See
 * docs/operations/preflight.md.
 */
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../components/config";
import { stackTopology } from "../components/composition";
import { parseFacts } from "../components/preflight/facts";
import { Finding, formatFinding, judgeHost } from "../components/preflight/judge";
import { HostPlan, preflightPlan } from "../components/preflight/plan";
import { runToEnd, sshArgs, toolArgs } from "./ssh";
import { readStackConfig, stackNames } from "./stackFile";

const ROOT = path.resolve(__dirname, "..");
const SCRIPT = fs.readFileSync(path.join(__dirname, "preflight.sh"), "utf8");

export interface PreflightOptions {
    readonly stack: string;
    /** The folder with the stack files (the project's by default). */
    readonly dir?: string;
    /** Config values over the stack file's (a test's stack). */
    readonly overrides?: Readonly<Record<string, string>>;
    readonly identity?: string;
    readonly knownHosts?: string;
    /** Per host. */
    readonly timeoutMs?: number;
}

export interface PreflightReport {
    readonly problems: Finding[];
    readonly notes: Finding[];
    /** Hosts checked, and how long the whole check took. */
    readonly hosts: number;
    readonly ms: number;
}

/** The host's answer to scripts/preflight.sh, over the connection the deploy uses. */
function readHost(plan: HostPlan, containers: readonly string[], config: Readonly<Record<string, string>>, o: PreflightOptions): Promise<string> {
    const args = [plan.dataRoot, ...containers];
    const timeoutMs = o.timeoutMs ?? 60_000;
    const user = config["mesos-cluster:sshUser"] ?? "root";
    const port = Number(config["mesos-cluster:sshPort"] ?? "22");
    if (plan.runtime === "docker" && (config["mesos-cluster:engine"] ?? "local") === "local") {
        return runToEnd("sh", ["-c", SCRIPT, "preflight", ...args], "this machine's shell", timeoutMs);
    }
    // The systemd runtime's deploy runs as root (sudo -n); the docker runtime's engine over SSH runs as the user.
    const target = { user, port, address: plan.address, sudo: plan.runtime === "systemd" };
    return runToEnd("ssh", sshArgs(target, o, "preflight", SCRIPT, args), `ssh ${user}@${plan.address}:${port}`, timeoutMs);
}

/** Checks every host of the stack at once; changes nothing on them. */
export async function preflight(o: PreflightOptions): Promise<PreflightReport> {
    const t0 = Date.now();
    const { values, secure } = readStackConfig(o.dir ?? ROOT, o.stack);
    const config = { ...values, ...o.overrides };
    const topology = stackTopology(config, { requireSecrets: false, secretKeys: new Set(secure) });
    const plans = preflightPlan(topology);
    const verdicts = await Promise.all(
        plans.map(async (plan) => {
            try {
                const out = await readHost(
                    plan,
                    plan.services.map((s) => s.containerName),
                    config,
                    o,
                );
                return judgeHost(plan, parseFacts(out));
            } catch (e) {
                const fix =
                    plan.runtime === "systemd"
                        ? "check that the host is up, sshUser and sshPort, the key (--identity) and, for a user other than root, sudo -n"
                        : "check that the host is up, sshUser and sshPort, and the key (ssh-agent or --identity)";
                return { problems: [{ host: plan.host, check: "connection", what: `could not be read: ${(e as Error).message}`, fix }], notes: [] };
            }
        }),
    );
    return { problems: verdicts.flatMap((v) => v.problems), notes: verdicts.flatMap((v) => v.notes), hosts: plans.length, ms: Date.now() - t0 };
}

/** The report as printed: problems, then notes, then one line that sums up. */
export function formatReport(r: PreflightReport): string {
    const hosts = new Set(r.problems.map((p) => p.host)).size;
    return [
        ...r.problems.map(formatFinding),
        ...r.notes.map((n) => `note: ${formatFinding(n)}`),
        r.problems.length === 0
            ? `preflight: ${r.hosts} host(s) ready (${(r.ms / 1000).toFixed(1)} s)`
            : `preflight: ${r.problems.length} problem(s) on ${hosts} of ${r.hosts} host(s) (${(r.ms / 1000).toFixed(1)} s)`,
    ].join("\n");
}

function usage(message: string): never {
    console.error(`preflight: ${message}\nusage: npm run preflight -- --stack NAME [--identity KEYFILE] [--known-hosts FILE] [--timeout SECONDS]   (stacks: ${stackNames(ROOT).join(", ")})`);
    process.exit(2);
}

function parseArgs(argv: readonly string[]): PreflightOptions {
    const { args, timeoutMs } = toolArgs(argv, ["--stack", "--identity", "--known-hosts", "--timeout"], usage);
    return { stack: args.stack, identity: args.identity, knownHosts: args["known-hosts"], timeoutMs };
}

if (require.main === module) {
    preflight(parseArgs(process.argv.slice(2)))
        .then((r) => {
            console.log(formatReport(r));
            process.exit(r.problems.length > 0 ? 1 : 0);
        })
        .catch((e) => {
            console.error(e instanceof ConfigError ? e.message : `preflight: ${(e as Error).message}`);
            process.exit(2);
        });
}
