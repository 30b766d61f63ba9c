import { spawnSync } from "child_process";
import * as fs from "fs";
import { parseConfig } from "../../components/config";
import { renderUnit } from "../../components/runtimes/systemdUnit";
import { clusterSpecs } from "../../components/services";
import { buildTopology } from "../../components/composition";
import { execWords, unitValue } from "../emitted";
import { docker, engineAvailable, tryDocker } from "./docker";

// A unit's restart is `docker stop` (ExecStop), then ExecStartPre, then `docker run --rm
// --name=…` (ExecStart). Docker removes a stopped `--rm` container after `docker stop` has
// returned, so the name may still be taken when the next start runs; ExecStartPre must leave
// it free, or the start fails and systemd waits RestartSec before trying again.
const IMAGE = "debian:bookworm-slim";
const ROUNDS = 4;
const [spec] = clusterSpecs(buildTopology(parseConfig({})));
const name = `unit-restart-${process.pid}`;
const pre = execWords(unitValue(renderUnit({ ...spec, containerName: name }, IMAGE), "ExecStartPre") as string);

const hasDocker = fs.existsSync("/usr/bin/docker");
if (!hasDocker && process.env.REQUIRE_DOCKER === "1") {
    throw new Error("REQUIRE_DOCKER=1 but /usr/bin/docker (the path the units run) is missing; run scripts/docker-engine.sh start");
}

(engineAvailable() && hasDocker ? describe : describe.skip)("a unit's restart, with a real engine", () => {
    const run = () => tryDocker(["run", "-d", "--rm", `--name=${name}`, IMAGE, "sleep", "300"]);
    afterAll(() => tryDocker(["rm", "-f", name]));

    test(`finds the name free after docker stop, ${ROUNDS} times in ${ROUNDS}`, () => {
        let takenWithRmAlone = 0;
        for (let i = 0; i < ROUNDS; i++) {
            expect(run().status).toBe(0);
            docker(["stop", "-t", "1", name]);
            if (i % 2 === 0) {
                // What the unit used to do: `docker rm -f`, its failure ignored.
                tryDocker(["rm", "-f", name]);
                takenWithRmAlone += tryDocker(["container", "inspect", name]).status === 0 ? 1 : 0;
            }
            const free = spawnSync(pre[0], pre.slice(1), { encoding: "utf8", timeout: 40_000 });
            expect({ status: free.status, stderr: free.stderr }).toEqual({ status: 0, stderr: "" });
            expect(run()).toEqual({ status: 0, output: expect.any(String) });
            docker(["rm", "-f", name]);
        }
        console.log(`unit restart: name still taken after docker rm -f alone in ${takenWithRmAlone} of ${ROUNDS / 2} rounds; free after ExecStartPre in ${ROUNDS} of ${ROUNDS}`);
        // The engine does show the race (else this test would prove nothing about the wait).
        expect(takenWithRmAlone).toBeGreaterThan(0);
    }, 180_000);
});

describe("a unit's ExecStartPre, on its own", () => {
    test("gives up with a message when the name stays taken", () => {
        // Against an engine that always says the container exists, with the deadline shortened.
        const script = pre[2].replace(/^d="[^"]*"/, "d=true").replace("-lt 30", "-lt 2");
        expect(script).not.toBe(pre[2]);
        const t0 = Date.now();
        const r = spawnSync("/bin/sh", ["-c", script, "free-name", name], { encoding: "utf8", timeout: 20_000 });
        expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 1, stderr: `container ${name} still exists after 30s\n` });
        expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    });

    test("passes at once when there is no such container", () => {
        const script = pre[2].replace(/^d="[^"]*"/, "d=false");
        const r = spawnSync("/bin/sh", ["-c", script, "free-name", name], { encoding: "utf8", timeout: 20_000 });
        expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
    });
});
