import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT } from "./harness";

// images/bamboo/patch/apply.sh, run as the Bamboo image's build runs it, on a stand-in of Bamboo's
// source tree (Bamboo's source cannot be had here): the three files it changes hold the one line each
// it looks for, as Bamboo 0.2.21's do (main/bamboo/bamboo.go L166, services/service/zookeeper.go L20,
// qzk/qzk.go L154), beside a line of their own that must stay as it was.
const PATCH = path.join(ROOT, "images", "bamboo", "patch");
const LINES = {
    "main/bamboo/bamboo.go": ["\tconn, _, err := zk.Connect(conf.ConnectionString(), time.Second*10)", "\tconn, _, err := zkConnectWithLogin(conf.ConnectionString(), time.Second*10)"],
    "services/service/zookeeper.go": ["\t\tacl:  defaultACL(),", "\t\tacl:  loggedInACL(),"],
    "qzk/qzk.go": ["\t\t\t_, err := c.Create(fqPath, []byte{}, 0, zk.WorldACL(zk.PermAll))", "\t\t\t_, err := c.Create(fqPath, []byte{}, 0, loggedInACL())"],
} as const;

function tree(lines: Partial<Record<keyof typeof LINES, string>> = {}): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bamboo-src-"));
    for (const [file, [before]] of Object.entries(LINES) as [keyof typeof LINES, readonly [string, string]][]) {
        fs.mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), `package x\n// untouched: zk.Connect(other)\n${lines[file] ?? before}\n`);
    }
    fs.mkdirSync(path.join(dir, "services", "marathon"), { recursive: true });
    return dir;
}
const apply = (dir: string) => spawnSync("sh", [path.join(PATCH, "apply.sh"), PATCH], { cwd: dir, encoding: "utf8", timeout: 30_000 });

describe("the Bamboo image's patch", () => {
    const dirs: string[] = [];
    afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

    test("adds our files to Bamboo's packages and points each of the three lines at them, nothing else changed", () => {
        const dir = tree();
        dirs.push(dir);
        const r = apply(dir);
        expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "bamboo patch: applied\n" });
        for (const [file, [, after]] of Object.entries(LINES)) {
            expect(fs.readFileSync(path.join(dir, file), "utf8")).toBe(`package x\n// untouched: zk.Connect(other)\n${after}\n`);
        }
        const copied = (f: string) => fs.readFileSync(path.join(dir, f), "utf8");
        expect(copied("services/marathon/marathon_service_ports.go")).toBe(fs.readFileSync(path.join(PATCH, "marathon_service_ports.go"), "utf8"));
        // The root package is what the image builds (its bamboo.go links to main/bamboo's).
        expect(copied("zk_login.go")).toBe(copied("main/bamboo/zk_login.go"));
        expect(copied("services/service/zk_acl.go")).toMatch(/^package service$/m);
        expect(copied("qzk/zk_acl.go")).toMatch(/^package qzk$/m);
        expect(copied("qzk/zk_acl.go").replace(/^package qzk$/m, "package service")).toBe(copied("services/service/zk_acl.go"));
    });

    test.each([
        ["missing", ""],
        ["there twice", `${LINES["services/service/zookeeper.go"][0]}\n${LINES["services/service/zookeeper.go"][0]}`],
    ])("stops the build when a line it changes is %s, naming it", (_, content) => {
        const dir = tree({ "services/service/zookeeper.go": content });
        dirs.push(dir);
        const r = apply(dir);
        expect(r.status).toBe(1);
        expect(r.stderr).toContain("'acl:  defaultACL(),' occurs");
        expect(r.stderr).toContain("in services/service/zookeeper.go, not once");
    });
});
