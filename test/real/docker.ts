import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Registered, plain } from "../harness";

/** Runs the docker CLI, failing with its output after `timeoutMs`. */
export function docker(args: string[], timeoutMs = 60_000): string {
    return execFileSync("docker", args, { encoding: "utf8", timeout: timeoutMs, stdio: ["ignore", "pipe", "pipe"] });
}

/** Runs the docker CLI and returns its status and output instead of throwing. */
export function tryDocker(args: string[], timeoutMs = 60_000): { status: number | null; output: string } {
    const r = spawnSync("docker", args, { encoding: "utf8", timeout: timeoutMs });
    return { status: r.status, output: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

/**
 * Whether a Docker engine answers. Without one the real suites are skipped, unless
 * REQUIRE_DOCKER=1 (as in CI), where they fail instead.
 */
export function engineAvailable(): boolean {
    const up = tryDocker(["info", "--format", "{{.ServerVersion}}"], 20_000).status === 0;
    if (!up && process.env.REQUIRE_DOCKER === "1") {
        throw new Error("REQUIRE_DOCKER=1 but no Docker engine answers; run scripts/docker-engine.sh start");
    }
    if (!up) {
        console.warn("No Docker engine: skipping the real-image tests (scripts/docker-engine.sh start gives one).");
    }
    return up;
}

/**
 * `docker run -d` arguments equivalent to a `docker.Container`'s inputs as the program
 * registered them. `root` stands for the host's own filesystem: every bind-mounted host path
 * is placed under it, so hosts that share this machine keep their files apart.
 */
export function runArgs(c: Registered, image: string, root: string): string[] {
    const i = c.inputs;
    const args = ["run", "-d", "--name", i.name, `--net=${i.networkMode}`];
    for (const e of i.envs ?? []) {
        args.push("-e", e);
    }
    for (const v of i.volumes ?? []) {
        args.push("-v", `${root}${v.hostPath}:${v.containerPath}${v.readOnly ? ":ro" : ""}`);
    }
    // Uploads are copied into the container before it starts; a read-only file under `root`
    // mounted at the same path gives the process the same content and mode.
    for (const u of (plain(i.uploads) ?? []) as { file: string; content: string; permissions: string }[]) {
        const file = path.join(root, "uploads", u.file);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, u.content, { mode: parseInt(u.permissions, 8) });
        args.push("-v", `${file}:${u.file}:ro`);
    }
    if (i.restart) {
        args.push(`--restart=${i.restart}`);
    }
    return [...args, image, ...(i.command ?? [])];
}

/** Polls `check` until it returns a value or `deadlineMs` passes, then fails with `what`. */
export async function waitFor<T>(what: string, deadlineMs: number, check: () => T | undefined, lastSeen?: () => string): Promise<T> {
    const end = Date.now() + deadlineMs;
    for (;;) {
        const value = check();
        if (value !== undefined) {
            return value;
        }
        if (Date.now() > end) {
            throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}${lastSeen ? `; last seen: ${lastSeen()}` : ""}`);
        }
        await new Promise((r) => setTimeout(r, 250));
    }
}
