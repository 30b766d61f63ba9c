import { spawn } from "child_process";
import * as http from "http";
import { AddressInfo } from "net";
import { bashHttpCheck } from "../components/services/common";

// The readiness check the upstream images run: bash alone (no curl), against a real HTTP server.

function run(script: string): Promise<number | null> {
    return new Promise((resolve) => {
        const child = spawn("bash", ["-c", script], { stdio: "ignore" });
        const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
        child.on("close", (code) => {
            clearTimeout(timer);
            resolve(code);
        });
    });
}

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

    test("a closed port fails", async () => {
        const closed = http.createServer();
        await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
        const free = (closed.address() as AddressInfo).port;
        await new Promise<void>((resolve) => closed.close(() => resolve()));
        expect(await run(bashHttpCheck("127.0.0.1", { port: free, path: "/ok" }))).not.toBe(0);
    });
});
