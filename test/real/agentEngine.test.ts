/**
 * The agent's entrypoint against this machine's real Docker engine and client: what it decides,
 * and that `docker inspect` at the API it leaves the client then holds what Mesos 1.7.1 reads of
 * a task's image (ContainerConfig.Entrypoint: apache/mesos 1.7.1 src/docker/docker.cpp,
 * Docker::Image::create). mesos-slave is a stand-in (no Mesos binary can be had here) that prints
 * the API its docker calls would use; the engine and the client are real.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT } from "../harness";
import { engineAvailable, tryDocker } from "./docker";

const suite = engineAvailable() ? describe : describe.skip;

suite("the agent's entrypoint on this machine's engine", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agent-engine-"));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const slave = path.join(dir, "mesos-slave");
    fs.writeFileSync(slave, '#!/bin/sh\necho "api=${DOCKER_API_VERSION:-negotiated}"\n', { mode: 0o755 });
    const api = tryDocker(["version", "--format", "{{.Server.APIVersion}}"]).output.trim();
    const image = "debian:bookworm-slim";

    test("it starts the agent, at the API the engine allows, and an image's inspect then has ContainerConfig.Entrypoint", () => {
        const r = spawnSync("sh", [path.join(ROOT, "images", "agent", "entrypoint.sh"), "--x"], { encoding: "utf8", env: { PATH: process.env.PATH, MESOS_SLAVE: slave }, timeout: 60_000 });
        expect(r.status).toBe(0);
        const [major, minor] = api.split(".").map(Number);
        const pinned = major > 1 || minor > 44;
        expect(r.stdout.trim()).toBe(pinned ? "api=1.44" : "api=negotiated");
        const inspected = spawnSync("docker", ["image", "inspect", image], {
            encoding: "utf8",
            env: { ...process.env, ...(pinned ? { DOCKER_API_VERSION: "1.44" } : {}) },
            timeout: 60_000,
        });
        expect(inspected.status).toBe(0);
        const [info] = JSON.parse(inspected.stdout);
        expect(info.ContainerConfig).toBeDefined();
        expect("Entrypoint" in info.ContainerConfig).toBe(true);
    });

    test("the client at a newer API than the engine's is refused: why 1.44 is set only past it", () => {
        const [major, minor] = api.split(".").map(Number);
        if (major > 1 || minor >= 44) return;
        const r = spawnSync("docker", ["version"], { encoding: "utf8", env: { ...process.env, DOCKER_API_VERSION: "1.44" }, timeout: 60_000 });
        expect(`${r.stdout}${r.stderr}`).toMatch(/too new|Maximum supported API version/i);
    });
});
