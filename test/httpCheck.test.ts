import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { bashAgentRegistered } from "../components/services/agent";
import { bashHttpCheck } from "../components/services/common";
import { runAsync } from "./processes";

// The readiness check the upstream images run: bash alone (no curl), against a real HTTP server.

const run = (script: string): Promise<number | null> => runAsync("bash", ["-c", script], { deadlineMs: 20_000 }).then((r) => r.status);

/** The operator's login as the program writes it for a service: user:password, no newline. */
const LOGIN = "operator:Gq7TNo2pXv9sLw4bR1yZ";

describe("bashHttpCheck", () => {
    let server: http.Server;
    let port = 0;
    beforeAll(async () => {
        server = http.createServer((req, res) => {
            const routes: Record<string, () => void> = {
                "/ok": () => res.writeHead(200).end("pong"),
                "/missing": () => res.writeHead(404).end("no"),
                "/error": () => res.writeHead(503).end("down"),
                "/redirect": () => res.writeHead(307, { Location: "http://127.0.0.9:5050/master/redirect" }).end(),
                "/redirect-nowhere": () => res.writeHead(307).end(),
                "/leader": () => res.writeHead(200, { "Content-Type": "application/json" }).end('{"leader":"10.0.0.11:4400"}'),
                "/no-leader": () => res.writeHead(200, { "Content-Type": "application/json" }).end('{"leader":""}'),
                // The pattern in a header, not in the body, does not count.
                "/leader-in-header": () => res.writeHead(200, { "X-Note": '"leader":"x"' }).end("{}"),
                // As Marathon and Chronos answer with --http_credentials: 401 without the login.
                "/private": () =>
                    req.headers.authorization === `Basic ${Buffer.from(LOGIN).toString("base64")}`
                        ? res.writeHead(200).end("pong")
                        : res.writeHead(401, { "WWW-Authenticate": 'Basic realm="Mesosphere"' }).end(),
            };
            (routes[req.url ?? ""] ?? routes["/missing"])();
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    test.each([
        ["/ok", false, 0],
        ["/missing", false, 1],
        ["/error", false, 1],
        ["/redirect", false, 1],
        ["/redirect", true, 0],
        ["/redirect-nowhere", true, 1],
        ["/ok", true, 1],
    ])("GET %s (redirect expected: %s) exits %i", async (p, redirect, code) => {
        expect(await run(bashHttpCheck("127.0.0.1", { port, path: p, redirect }))).toBe(code);
    });

    test.each([
        ["/leader", 0],
        ["/no-leader", 1],
        ["/leader-in-header", 1],
        ["/missing", 1],
    ])("GET %s, a leader named in the body expected, exits %i", async (p, code) => {
        expect(await run(bashHttpCheck("127.0.0.1", { port, path: p, body: '"leader":"[^"]+"' }))).toBe(code);
    });

    describe("with a login read from a file", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "http-check-"));
        const file = (name: string, content: string) => {
            const f = path.join(dir, name);
            fs.writeFileSync(f, content, { mode: 0o600 });
            return f;
        };
        afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

        test.each([
            ["the right login", 0, () => file("right", LOGIN)],
            ["a wrong password", 1, () => file("wrong", "operator:not-the-password")],
            ["another user", 1, () => file("other", `someone${LOGIN.slice(LOGIN.indexOf(":"))}`)],
            ["an empty file", 1, () => file("empty", "")],
        ])("%s: exits %i", async (_what, code, login) => {
            expect(await run(bashHttpCheck("127.0.0.1", { port, path: "/private", basicAuthFile: login() }))).toBe(code);
        });

        test("no login at all fails; a missing file fails before any request", async () => {
            expect(await run(bashHttpCheck("127.0.0.1", { port, path: "/private" }))).toBe(1);
            expect(await run(bashHttpCheck("127.0.0.1", { port, path: "/private", basicAuthFile: path.join(dir, "absent") }))).not.toBe(0);
        });

        test("an open endpoint still passes with a login, and the check's text holds the file's path, never the password", async () => {
            const f = file("login", LOGIN);
            const script = bashHttpCheck("127.0.0.1", { port, path: "/ok", basicAuthFile: f });
            expect(await run(script)).toBe(0);
            expect(script).toContain(f);
            expect(script).not.toContain(LOGIN.split(":")[1]);
        });

        test("a login file that is not a plain path is refused", () => {
            expect(() => bashHttpCheck("127.0.0.1", { port, path: "/ok", basicAuthFile: "/etc/x'; rm -rf /" })).toThrow(/plain absolute path/);
        });
    });

    test("a closed port fails", async () => {
        const closed = http.createServer();
        await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
        const free = (closed.address() as AddressInfo).port;
        await new Promise<void>((resolve) => closed.close(() => resolve()));
        expect(await run(bashHttpCheck("127.0.0.1", { port: free, path: "/ok" }))).not.toBe(0);
    });
});

// The agent's readiness: listed as active by the leading master. Stand-ins for an agent's
// /slave(1)/state and for masters' /master/slaves, shaped as Mesos 1.7.1 answers (src/slave/http.cpp,
// src/master/http.cpp); no Mesos binary can be had here.
describe("bashAgentRegistered", () => {
    const ID = "0d4a2cbb-8e3f-4a36-9e1d-7c1f2a8c3b11-S0";
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agent-check-"));
    const login = path.join(dir, "login");
    fs.writeFileSync(login, LOGIN, { mode: 0o600 });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const authorized = (req: http.IncomingMessage) => req.headers.authorization === `Basic ${Buffer.from(LOGIN).toString("base64")}`;
    /** What the stand-ins answer; each test sets it. */
    let agentId = ID;
    let leaderSays: "active" | "inactive" | "unknown" = "active";
    let seen: string[] = [];
    const servers: http.Server[] = [];
    const endpoints: { address: string; port: number }[] = [];
    const serve = async (handler: http.RequestListener) => {
        const s = http.createServer(handler);
        await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
        servers.push(s);
        return { address: "127.0.0.1", port: (s.address() as AddressInfo).port };
    };
    beforeAll(async () => {
        // The agent: its state, the id first of its fields named id (then a framework's).
        endpoints.push(
            await serve((req, res) => {
                seen.push(`agent ${req.url}`);
                if (!authorized(req)) return void res.writeHead(401).end();
                if (req.url !== "/slave(1)/state") return void res.writeHead(404).end();
                res.writeHead(200, { "Content-Type": "application/json" }).end(
                    JSON.stringify({ version: "1.7.1", start_time: 1, id: agentId, pid: "slave(1)@127.0.0.1:5051", frameworks: [{ id: "fw-1" }] }),
                );
            }),
        );
        // Two masters that are not leading (they redirect), then the leader.
        for (const leading of [false, false, true]) {
            endpoints.push(
                await serve((req, res) => {
                    seen.push(`${leading ? "leader" : "follower"} ${req.url}`);
                    if (!authorized(req)) return void res.writeHead(401).end();
                    if (!leading) return void res.writeHead(307, { Location: "//127.0.0.1:1/master/slaves" }).end();
                    const wanted = new URL(req.url ?? "", "http://x").searchParams.get("slave_id");
                    const slaves = leaderSays === "unknown" || wanted !== ID ? [] : [{ id: ID, pid: "slave(1)@127.0.0.1:5051", resources: { cpus: 2 }, active: leaderSays === "active" }];
                    res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ slaves, recovered_slaves: [] }));
                }),
            );
        }
    });
    afterAll(() => Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())))));
    const check = () => run(bashAgentRegistered(endpoints[0], endpoints.slice(1), login));

    test.each([
        ["registered: the leader lists it active", ID, "active", 0],
        ["not registered yet: its id is empty", "", "active", 1],
        ["restarted, not registered again: listed inactive", ID, "inactive", 1],
        ["the leader does not know it", ID, "unknown", 1],
    ] as const)("%s (id %p, the leader: %s): exits %i", async (_what, id, says, code) => {
        agentId = id;
        leaderSays = says;
        seen = [];
        expect(await check()).toBe(code);
        if (id !== "") {
            // Every master asked for this agent alone, with the login, until the leader answered.
            expect(seen).toContain(`leader /master/slaves?slave_id=${ID}`);
        }
    });

    test("an id that is not letters, digits and dashes goes into no request", async () => {
        agentId = "x y/../../etc";
        seen = [];
        expect(await check()).toBe(1);
        expect(seen).toEqual(["agent /slave(1)/state"]);
    });

    test("without the login the read-only endpoints refuse it", async () => {
        agentId = ID;
        leaderSays = "active";
        expect(await run(bashAgentRegistered(endpoints[0], endpoints.slice(1)))).toBe(1);
    });
});
