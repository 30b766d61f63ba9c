import { spawn } from "child_process";

/** How a process ended, and what it printed. */
export interface Ended {
    readonly status: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

/**
 * Runs a command without blocking the event loop (other work of the test goes on beside it),
 * `stdin` written to it, killed once `deadlineMs` has passed.
 */
export function runAsync(command: string, args: readonly string[], options: { readonly deadlineMs: number; readonly stdin?: string; readonly env?: NodeJS.ProcessEnv }): Promise<Ended> {
    return new Promise((resolve) => {
        const child = spawn(command, args, { env: options.env, stdio: ["pipe", "pipe", "pipe"] });
        let [stdout, stderr] = ["", ""];
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        const timer = setTimeout(() => child.kill("SIGKILL"), options.deadlineMs);
        child.on("close", (status) => {
            clearTimeout(timer);
            resolve({ status, stdout, stderr });
        });
        // A process that ends before reading its input (nc on a refused connection) is no error.
        child.stdin.on("error", () => undefined);
        child.stdin.end(options.stdin ?? "");
    });
}
