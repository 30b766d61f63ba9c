import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { OPERATOR_PASSWORD_ENV, checkEndpoint, checkStack, operatorPassword } from "../scripts/health";

// `npm run health` sends the operator's login to the endpoints that need it, and finds the
// password in its variable or through the Pulumi CLI (a stand-in here: the CLI cannot be installed).

const PASSWORD = "Hq2mWv8sKd4ZpL0xTn6c";

describe("an endpoint behind the operator's login", () => {
    let server: http.Server;
    let base = "";
    const seen: (string | undefined)[] = [];
    beforeAll(async () => {
        server = http.createServer((req, res) => {
            seen.push(req.headers.authorization);
            const right = req.headers.authorization === `Basic ${Buffer.from(`operator:${PASSWORD}`).toString("base64")}`;
            res.writeHead(req.url === "/open" || right ? 200 : 401).end();
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    test("answers with the operator's password; without it or with another, 401 and why", async () => {
        const endpoint = { kind: "http" as const, url: `${base}/ping`, login: true };
        expect(await checkEndpoint(endpoint, 5000, PASSWORD)).toEqual({ ok: true, status: "HTTP 200" });
        expect(await checkEndpoint(endpoint, 5000)).toEqual({ ok: false, status: `HTTP 401 (no operator password: set ${OPERATOR_PASSWORD_ENV}, or install the Pulumi CLI)` });
        expect(await checkEndpoint(endpoint, 5000, "wrong")).toEqual({ ok: false, status: "HTTP 401 (the operator's password was refused)" });
    });

    test("an endpoint that needs no login is not sent it", async () => {
        seen.length = 0;
        expect(await checkEndpoint({ kind: "http", url: `${base}/open` }, 5000, PASSWORD)).toEqual({ ok: true, status: "HTTP 200" });
        expect(seen).toEqual([undefined]);
    });
});

describe("where the password comes from", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "health-pulumi-"));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    /** A stand-in for the Pulumi CLI: prints the password for exactly the command health runs. */
    const cli = (script: string) => {
        fs.writeFileSync(path.join(dir, "pulumi"), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
        return { PATH: `${dir}:${process.env.PATH}` };
    };
    const answers = `[ "$*" = "stack output operatorPassword --show-secrets --non-interactive --stack ha" ] && echo ${PASSWORD}`;

    test("the variable first, then the stack output through the CLI", () => {
        expect(operatorPassword("ha", { ...cli(answers), [OPERATOR_PASSWORD_ENV]: "from-the-variable" })).toBe("from-the-variable");
        expect(operatorPassword("ha", cli(answers))).toBe(PASSWORD);
    });

    test("none when the CLI fails (no such stack, no output, a wrong passphrase) or is not installed", () => {
        expect(operatorPassword("ha", cli("echo 'error: no stack named ha' >&2; exit 255"))).toBeUndefined();
        expect(operatorPassword("ha", cli("exit 0"))).toBeUndefined();
        expect(operatorPassword("ha", { PATH: path.join(dir, "empty") })).toBeUndefined();
    });

    test("asked once for a whole stack whose endpoints need the login", async () => {
        let asked = 0;
        // The e2e stack: its hosts (127.0.0.11-13) are down here, so every answer comes quickly.
        const rows = await checkStack("e2e", 1000, () => {
            asked++;
            return PASSWORD;
        });
        expect(asked).toBe(1);
        expect(rows.filter((r) => r.service === "marathon").length).toBeGreaterThan(0);
    });
});
