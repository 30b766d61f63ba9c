import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT } from "./harness";

// The layering (.dependency-cruiser.cjs): imports only point down, and nothing is circular.

function cruise(cwd: string, targets: readonly string[]): { status: number | null; output: string } {
    const bin = path.join(ROOT, "node_modules", "dependency-cruiser", "bin", "dependency-cruise.mjs");
    const r = spawnSync(process.execPath, [bin, ...targets, "--config", path.join(ROOT, ".dependency-cruiser.cjs"), "--output-type", "err"], {
        cwd,
        encoding: "utf8",
        timeout: 120_000,
    });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

test("the program's imports only point down, with no cycle", () => {
    const r = cruise(ROOT, ["components", "index.ts", "scripts", "policy", "bench"]);
    expect(r).toEqual({ status: 0, output: expect.stringMatching(/no dependency violations found \(\d+ modules/) });
}, 120_000);

describe("the rules catch what they forbid (negative controls on a scratch tree)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "layers-"));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const write = (rel: string, text: string) => {
        fs.mkdirSync(path.join(dir, path.dirname(rel)), { recursive: true });
        fs.writeFileSync(path.join(dir, rel), text);
    };
    fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { module: "commonjs", moduleResolution: "node" } }));

    test.each([
        ["a service that reaches a runtime", "components/services/x.ts", 'import "../runtimes/docker";\n', "components/runtimes/docker.ts", "services-know-mesos-not-runtimes"],
        ["a runtime that knows a service", "components/runtimes/y.ts", 'import "../services/master";\n', "components/services/master.ts", "runtimes-know-no-mesos"],
        ["render imported from below", "components/cluster.ts", 'import "./render/diagram";\n', "components/render/diagram.ts", "render-is-on-top"],
        ["drift imported from below", "components/runtimes/z.ts", 'import "../drift/compare";\n', "components/drift/compare.ts", "render-is-on-top"],
        ["config reaching up", "components/config/keys.ts", 'import "../topology/types";\n', "components/topology/types.ts", "config-is-the-bottom"],
        ["topology reaching up to the services", "components/topology/x.ts", 'import "../services/master";\n', "components/services/master.ts", "topology-reads-only-config"],
        ["topology reaching up to the model", "components/topology/x.ts", 'import "../spec";\n', "components/spec.ts", "topology-reads-only-config"],
    ])("%s", (_, from, text, to, rule) => {
        write(from, text);
        write(to, "export {};\n");
        const r = cruise(dir, ["components"]);
        expect(r.status).not.toBe(0);
        expect(r.output).toContain(rule);
        fs.rmSync(path.join(dir, "components"), { recursive: true, force: true });
    }, 120_000);

    test("a cycle", () => {
        write("components/topology/a.ts", 'import "./b";\n');
        write("components/topology/b.ts", 'import "./a";\n');
        const r = cruise(dir, ["components"]);
        expect(r.status).not.toBe(0);
        expect(r.output).toContain("no-cycles");
    }, 120_000);
});
