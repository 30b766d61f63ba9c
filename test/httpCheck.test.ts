import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
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
