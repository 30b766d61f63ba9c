import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { renderBambooFront, renderHaproxyInitial, renderHaproxyTemplate } from "../../components/services/haproxy";
import { fillTemplate } from "../../components/spec";
import { haproxyCheck, renderTemplate } from "../bamboo/tools";
import { toolAvailable } from "../tools/available";
import { ROOT } from "../harness";
import { waitFor } from "./docker";

// Debian's HAProxy 2.6 (the one the Bamboo image installs), run for real on loopback addresses
// the way the image runs it: master-worker, reloaded by images/bamboo/haproxy-reload.sh with
// configs rendered from the program's template; and the image's entrypoint supervising it.
const suite = toolAvailable("haproxy", "haproxy") && toolAvailable("go", "golang-go") ? describe : describe.skip;

const RELOAD = path.join(ROOT, "images", "bamboo", "haproxy-reload.sh");
const ENTRYPOINT = path.join(ROOT, "images", "bamboo", "entrypoint.sh");

/** GET with a Host header (and a login): status and body, or undefined when nothing answers. */
function get(url: string, host?: string, login?: string): Promise<{ status: number; body: string } | undefined> {
    return new Promise((resolve) => {
        const headers = { ...(host ? { Host: host } : {}), ...(login ? { Authorization: `Basic ${Buffer.from(login).toString("base64")}` } : {}) };
        const req = http.get(url, { headers, timeout: 5_000 }, (res) => {
            let body = "";
            res.on("data", (d) => (body += d));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on("error", () => resolve(undefined));
        req.on("timeout", () => req.destroy());
    });
}

/** Polls an async check until it gives a value, within `ms`. */
async function until<T>(what: string, ms: number, check: () => Promise<T | undefined>): Promise<T> {
    let last: T | undefined;
    let pending = false;
    return waitFor(what, ms, () => {
        if (!pending) {
            pending = true;
            void check().then((v) => {
                last = v;
                pending = false;
            });
        }
        return last;
    });
}

/** Resolves with the exit code once `p` exits, or fails after `ms`. */
function exited(p: ChildProcess, ms: number): Promise<number | null> {
    return new Promise((resolve, reject) => {
        if (p.exitCode !== null || p.signalCode !== null) {
            resolve(p.exitCode);
            return;
        }
        const timer = setTimeout(() => reject(new Error(`process ${p.pid} still running after ${ms} ms`)), ms);
        p.once("exit", (code) => {
            clearTimeout(timer);
            resolve(code);
        });
    });
}

/**
 * Stops a process group the test started (spawned `detached`): SIGTERM, then SIGKILL after `ms`.
 * Never throws, so that a slow stop under load cannot leave the servers below it open (an open
 * handle keeps jest from exiting, which once held CI until its deadline); says when it had to kill.
 */
async function stopGroup(p: ChildProcess | undefined, ms: number): Promise<"stopped" | "killed" | "none"> {
    if (!p?.pid) {
        return "none";
    }
    const signal = (s: NodeJS.Signals) => {
        try {
            process.kill(-p.pid!, s);
        } catch {
            // already gone
        }
    };
    if (p.exitCode !== null || p.signalCode !== null) {
        signal("SIGKILL"); // the leader is gone; what it started may not be
        return "none";
    }
    signal("SIGTERM");
    try {
        await exited(p, ms);
        signal("SIGKILL"); // workers the master left behind, if any
        return "stopped";
    } catch {
        signal("SIGKILL");
        await exited(p, 5_000).catch(() => undefined);
        return "killed";
    }
}

/** Closes a server and the connections it holds (keep-alive ones would hold close() open). */
function closeServer(server: http.Server | undefined): Promise<void> {
    if (!server) {
        return Promise.resolve();
    }
    server.closeAllConnections();
    return new Promise((r) => server.close(() => r()));
}

/**
 * Fails unless nothing listens on these addresses and ports. HAProxy binds with SO_REUSEPORT, so
 * an HAProxy left behind by an earlier run (one was, by a CI run stopped at its deadline) shares
 * the ports with this test's own and answers half its requests from its own config: the test
 * then fails at random, far from the cause. Node binds without that option, so it sees the holder.
 */
async function assertFree(binds: { address: string; port: number }[]): Promise<void> {
    for (const { address, port } of binds) {
        await new Promise<void>((resolve, reject) => {
            const probe = net.createServer();
            probe.once("error", (e: NodeJS.ErrnoException) => {
                const holder = spawnSync("ss", ["-ltnpH", `sport = :${port}`], { encoding: "utf8" }).stdout?.trim();
                reject(new Error(`${address}:${port} is already taken (${e.code}) before the test starts: ${holder || "ss names no holder"}. Stop what holds it (an HAProxy left by an earlier run?) and run again.`));
            });
            probe.listen(port, address, () => probe.close(() => resolve()));
        });
    }
}

const alive = (pid: number) => {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
};

/** The operator's login, and a password of the generated kind (letters and digits). */
const PASSWORD = "Zq81mTf0RkWx3nB7";
const LOGIN = `operator:${PASSWORD}`;

/** A stand-in for Bamboo on 127.0.0.1: answers /status, and says whether a login reached it. */
async function standInBamboo(port: number): Promise<http.Server> {
    const server = http.createServer((req, res) => res.end(`${req.url === "/status" ? "OK" : req.url} authorization=${req.headers.authorization ?? "none"}`));
    await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
    return server;
}

// Each test's deadline is 120 s: the first render builds the Go renderer (seconds when quiet,
// past 30 s on a loaded 2-core machine, as seen once beside the engine's suites).
suite("HAProxy as the Bamboo image runs it", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "haproxy-real-"));
    const layout = { address: "127.0.0.61", httpPort: 18080 };
    const servicePort = 18500;
    const config = path.join(dir, "haproxy.cfg");
    // The front for Bamboo, with the login, as the program mounts it beside the rendered config.
    const frontLayout = { address: layout.address, port: 18088, localPort: 18089 };
    const front = path.join(dir, "haproxy-front.cfg");
    const bambooApi = `http://${frontLayout.address}:${frontLayout.port}`;
    const pidfile = path.join(dir, "haproxy.pid");
    const frontend = `http://${layout.address}:${layout.httpPort}`;
    let backend: http.Server;
    let bamboo: http.Server;
    let master: ChildProcess;
    const figures: Record<string, string> = {};

    /** Bamboo's template with one app: a task on the test's backend, a host rule and a service port. */
    const routed = () =>
        renderTemplate(renderHaproxyTemplate(layout), {
            Apps: [{ Id: "/web", EscapedId: "::web", HealthCheckPath: "/health", ServicePort: servicePort, Tasks: [{ Host: "127.0.0.62", Port: 18081 }] }],
            Services: { "/web": { Id: "/web", Acl: "hdr(host) -i web.example.com" } },
        });
    const reload = () => spawnSync("sh", [RELOAD], { env: { ...process.env, HAPROXY_PIDFILE: pidfile }, encoding: "utf8", timeout: 10_000 });

    beforeAll(async () => {
        await assertFree([
            { address: layout.address, port: layout.httpPort },
            { address: layout.address, port: servicePort },
            { address: frontLayout.address, port: frontLayout.port },
        ]);
        backend = http.createServer((req, res) => {
            // /slow answers after two seconds: a connection that spans a reload.
            setTimeout(() => res.end(`hello from task ${req.url}`), req.url === "/slow" ? 2_000 : 0);
        });
        await new Promise<void>((r) => backend.listen(18081, "127.0.0.62", r));
        bamboo = await standInBamboo(frontLayout.localPort);
        fs.writeFileSync(config, renderHaproxyInitial(layout));
        fs.writeFileSync(front, fillTemplate(renderBambooFront(frontLayout), { "operator-password": PASSWORD }), { mode: 0o600 });
        master = spawn("haproxy", ["-W", "-db", "-f", config, "-f", front, "-p", pidfile], { stdio: "ignore", detached: true });
        await until("HAProxy's stats page", 10_000, async () => ((await get(`${frontend}/haproxy/stats`))?.status === 200 ? true : undefined));
    }, 120_000);

    afterAll(async () => {
        try {
            figures["master stop"] = await stopGroup(master, 10_000);
        } finally {
            await closeServer(backend);
            await closeServer(bamboo);
            fs.rmSync(dir, { recursive: true, force: true });
        }
        console.log(`HAProxy figures: ${JSON.stringify(figures)}`);
    });

    test("the front requires the operator's login and passes Bamboo's API on without it", async () => {
        expect((await get(`${bambooApi}/status`))?.status).toBe(401);
        expect((await get(`${bambooApi}/api/services`, undefined, "operator:wrong"))?.status).toBe(401);
        expect((await get(`${bambooApi}/api/services`, undefined, `someone:${PASSWORD}`))?.status).toBe(401);
        expect(await get(`${bambooApi}/status`, undefined, LOGIN)).toEqual({ status: 200, body: "OK authorization=none" });
        expect(await get(`${bambooApi}/api/state`, undefined, LOGIN)).toEqual({ status: 200, body: "/api/state authorization=none" });
        // Bamboo's own port is on loopback only: not on the host's address.
        expect(await get(`http://${frontLayout.address}:${frontLayout.localPort}/status`)).toBeUndefined();
    }, 120_000);

    test("a config rendered from Bamboo's template is taken up by a reload, by host rule and by service port", async () => {
        const pid = Number(fs.readFileSync(pidfile, "utf8"));
        const next = routed();
        // What Bamboo's ReloadValidationCommand runs before it puts a config in place.
        expect(haproxyCheck(next).status).toBe(0);
        expect((await get(`${frontend}/`, "web.example.com"))?.status).toBe(503);
        fs.writeFileSync(config, next);
        const t0 = Date.now();
        expect(reload().status).toBe(0);
        const routedHttp = await until("the host rule", 10_000, async () => {
            const r = await get(`${frontend}/`, "web.example.com");
            return r?.status === 200 ? r : undefined;
        });
        figures["reload to first routed request (ms)"] = String(Date.now() - t0);
        expect(routedHttp.body).toBe("hello from task /");
        expect((await get(`http://${layout.address}:${servicePort}/tcp`))?.body).toBe("hello from task /tcp");
        // Other hosts get no app.
        expect((await get(`${frontend}/`, "other.example.com"))?.status).toBe(503);
        // The same master: a reload, not a restart.
        expect(Number(fs.readFileSync(pidfile, "utf8"))).toBe(pid);
        expect(alive(pid)).toBe(true);
        // The reload re-read the front as well: still there, still asking for the login.
        expect((await get(`${bambooApi}/status`))?.status).toBe(401);
        expect((await get(`${bambooApi}/status`, undefined, LOGIN))?.status).toBe(200);
    }, 120_000);

    test("a request in flight during a reload is answered (the old worker finishes it)", async () => {
        const slow = get(`${frontend}/slow`, "web.example.com");
        await new Promise((r) => setTimeout(r, 500));
        expect(reload().status).toBe(0);
        expect(await slow).toEqual({ status: 200, body: "hello from task /slow" });
        expect((await get(`${frontend}/`, "web.example.com"))?.status).toBe(200);
    }, 120_000);

    test("a config the master cannot load leaves the running workers serving", async () => {
        const pid = Number(fs.readFileSync(pidfile, "utf8"));
        fs.writeFileSync(config, "frontend broken\n    bind nowhere:xx\n");
        expect(reload().status).toBe(0);
        await new Promise((r) => setTimeout(r, 1_500));
        expect((await get(`${frontend}/`, "web.example.com"))?.status).toBe(200);
        expect(alive(pid)).toBe(true);
        fs.writeFileSync(config, routed());
        expect(reload().status).toBe(0);
    }, 120_000);
});

suite("the Bamboo image's entrypoint", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bamboo-entry-"));
    const layout = { address: "127.0.0.63", httpPort: 18090 };
    const stats = `http://${layout.address}:${layout.httpPort}/haproxy/stats`;
    const started: ChildProcess[] = [];
    // A test that fails half-way leaves its entrypoint (and HAProxy, and the sleeper) running.
    afterEach(async () => {
        await Promise.all(started.splice(0).map((p) => stopGroup(p, 5_000)));
    });
    beforeAll(() => assertFree([{ address: layout.address, port: layout.httpPort }, { address: layout.address, port: 18098 }]));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** The entrypoint with the image's paths moved under `dir`; `bamboo` stands in for Bamboo's binary. */
    function start(bamboo: string, args: string[], front = path.join(dir, "no-front.cfg")): ChildProcess {
        fs.writeFileSync(path.join(dir, "initial.cfg"), renderHaproxyInitial(layout));
        const entry = spawn("bash", [ENTRYPOINT, ...args], {
            stdio: "ignore",
            detached: true,
            env: {
                ...process.env,
                HAPROXY_CONFIG: path.join(dir, "haproxy.cfg"),
                HAPROXY_INITIAL: path.join(dir, "initial.cfg"),
                HAPROXY_FRONT: front,
                HAPROXY_PIDFILE: path.join(dir, "haproxy.pid"),
                BAMBOO: bamboo,
            },
        });
        started.push(entry);
        return entry;
    }

    test("starts HAProxy with the initial config, and stops it when Bamboo ends", async () => {
        // `sleep 3` plays a Bamboo that exits after three seconds.
        const entry = start("sleep", ["3"]);
        await until("HAProxy's stats page", 10_000, async () => ((await get(stats))?.status === 200 ? true : undefined));
        expect(fs.readFileSync(path.join(dir, "haproxy.cfg"), "utf8")).toBe(renderHaproxyInitial(layout));
        expect(await exited(entry, 15_000)).toBe(0);
        expect(await get(stats)).toBeUndefined();
    }, 120_000);

    test("with the front mounted, HAProxy serves it too: Bamboo's port asks for the login", async () => {
        const frontLayout = { address: layout.address, port: 18098, localPort: 18099 };
        const bamboo = await standInBamboo(frontLayout.localPort);
        const front = path.join(dir, "front.cfg");
        fs.writeFileSync(front, fillTemplate(renderBambooFront(frontLayout), { "operator-password": PASSWORD }), { mode: 0o600 });
        try {
            const entry = start("sleep", ["3"], front);
            const api = `http://${frontLayout.address}:${frontLayout.port}/status`;
            await until("the front", 10_000, async () => ((await get(api))?.status === 401 ? true : undefined));
            expect(await get(api, undefined, LOGIN)).toEqual({ status: 200, body: "OK authorization=none" });
            expect((await get(stats))?.status).toBe(200);
            expect(await exited(entry, 15_000)).toBe(0);
            expect(await get(api)).toBeUndefined();
        } finally {
            await closeServer(bamboo);
        }
    }, 120_000);

    test("stops Bamboo and exits non-zero when HAProxy dies, so the runtime restarts both", async () => {
        const entry = start("sleep", ["300"]);
        await until("HAProxy's stats page", 10_000, async () => ((await get(stats))?.status === 200 ? true : undefined));
        const sleeper = spawnSync("pgrep", ["-f", "^sleep 300$"], { encoding: "utf8" }).stdout.trim();
        expect(sleeper).not.toBe("");
        process.kill(Number(fs.readFileSync(path.join(dir, "haproxy.pid"), "utf8")), "SIGKILL");
        expect(await exited(entry, 15_000)).not.toBe(0);
        expect(alive(Number(sleeper.split("\n")[0]))).toBe(false);
    }, 120_000);
});
