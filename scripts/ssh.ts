/**
 * How the day-2 tools reach a host: as the systemd runtime's deploy does (its user and port, `sudo -n`
 * unless root), with ssh's own options for a tool that nobody answers: no prompt, a connect deadline,
 * a new host key accepted once. Shared by `npm run drift`, `npm run backup`/`restore` and
 * `npm run preflight`.
 */
import { spawn } from "child_process";
import { shellQuote } from "../components/runtimes/systemd";

/** A host as the deploy reaches it. */
export interface SshTarget {
    readonly user: string;
    readonly port: number;
    readonly address: string;
    /**
     * Whether to run as root with `sudo -n` when the user is not root (the systemd runtime's
     * deploy does; the docker runtime's engine over SSH runs as the user itself). Default true.
     */
    readonly sudo?: boolean;
}

/** What the operator adds: a key file, a known-hosts file. */
export interface SshKeys {
    readonly identity?: string;
    readonly knownHosts?: string;
}

/** ssh's arguments that run `script` as root on `target` with `args`, `$0` being `name`. */
export function sshArgs(target: SshTarget, keys: SshKeys, name: string, script: string, args: readonly string[]): string[] {
    const sudo = target.user === "root" || target.sudo === false ? "" : "sudo -n ";
    const remote = `${sudo}sh -c ${shellQuote(script)} ${name} ${args.map(shellQuote).join(" ")}`;
    return [
        ...(keys.identity ? ["-i", keys.identity, "-o", "IdentitiesOnly=yes"] : []),
        ...["-p", String(target.port), "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-o", "StrictHostKeyChecking=accept-new"],
        ...(keys.knownHosts ? ["-o", `UserKnownHostsFile=${keys.knownHosts}`] : []),
        ...["-o", "LogLevel=ERROR"],
        `${target.user}@${target.address}`,
        "--",
        remote,
    ];
}

/**
 * Runs `command` with `args` to its end: its exit status, its output as bytes and its errors as
 * text; rejects when it cannot start, or after `timeoutMs` (the process killed), naming `what`.
 */
export function runWithDeadline(command: string, args: readonly string[], what: string, timeoutMs: number): Promise<{ status: number | null; out: Buffer; err: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
        const out: Buffer[] = [];
        let err = "";
        const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
        child.stdout.on("data", (d: Buffer) => out.push(d));
        child.stderr.on("data", (d) => (err += d));
        child.on("error", (e) => {
            clearTimeout(timer);
            reject(e);
        });
        child.on("close", (status, signal) => {
            clearTimeout(timer);
            if (signal) {
                reject(new Error(`${what}: no answer within ${timeoutMs / 1000}s`));
            } else {
                resolve({ status, out: Buffer.concat(out), err: err.trim() });
            }
        });
    });
}

/** As runWithDeadline, its output as text once it exits 0; else rejects with the last lines of its errors. */
export async function runToEnd(command: string, args: readonly string[], what: string, timeoutMs: number): Promise<string> {
    const r = await runWithDeadline(command, args, what, timeoutMs);
    if (r.status !== 0) {
        throw new Error(`${what} ended with ${r.status}: ${r.err.split("\n").slice(-3).join(" ")}`);
    }
    return r.out.toString("utf8");
}

/**
 * A day-2 tool's `--flag value` arguments: each one of `flags` (`--stack`, which is required,
 * and `--timeout`, seconds above 0, default 60, among them), or `usage` is called with what is
 * wrong. Returns the values by flag name without its dashes, and the timeout in milliseconds.
 */
export function toolArgs(argv: readonly string[], flags: readonly string[], usage: (message: string) => never): { args: Record<string, string>; timeoutMs: number } {
    const args: Record<string, string> = {};
    for (let i = 0; i < argv.length; i += 2) {
        const [flag, value] = [argv[i], argv[i + 1]];
        if (!flags.includes(flag) || value === undefined || value.startsWith("--")) {
            usage(`unexpected argument "${flag}"`);
        }
        args[flag.slice(2)] = value;
    }
    if (!args.stack) {
        usage("--stack is required");
    }
    const timeout = args.timeout === undefined ? 60 : Number(args.timeout);
    if (!(timeout > 0)) {
        usage(`--timeout ${args.timeout}: a number of seconds above 0`);
    }
    return { args, timeoutMs: timeout * 1000 };
}
