import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const WORK = fs.mkdtempSync(path.join(os.tmpdir(), "bamboo-tools-"));
let renderer: string | undefined;

/** Bamboo's template data: the fields the tests fill. */
export interface TemplateData {
    readonly Apps: readonly {
        Id: string;
        EscapedId: string;
        HealthCheckPath?: string;
        ServicePort?: number;
        Tasks: readonly { Host: string; Port: number }[];
    }[];
    readonly Services: Readonly<Record<string, { Id: string; Acl: string }>>;
}

/** Renders a Bamboo HAProxy template with `data`, through Go's text/template (test/bamboo/render.go). */
export function renderTemplate(template: string, data: TemplateData): string {
    if (renderer === undefined) {
        const out = path.join(WORK, "render");
        const built = spawnSync("go", ["build", "-o", out, path.join(__dirname, "render.go")], {
            encoding: "utf8",
            timeout: 300_000,
            env: { ...process.env, CGO_ENABLED: "0", GO111MODULE: "off", GOCACHE: path.join(WORK, "gocache"), GOPATH: path.join(WORK, "gopath") },
        });
        if (built.status !== 0) {
            throw new Error(`go build failed: ${built.stderr}`);
        }
        renderer = out;
    }
    const file = path.join(WORK, "template.cfg");
    fs.writeFileSync(file, template);
    const r = spawnSync(renderer, [file], { input: JSON.stringify(data), encoding: "utf8", timeout: 30_000 });
    if (r.status !== 0) {
        throw new Error(`rendering failed: ${r.stderr}`);
    }
    return r.stdout;
}

/**
 * Each app's service ports as Bamboo 0.2.21 reads them from a /v2/apps answer: the Bamboo image's
 * own file (images/bamboo/patch/marathon_service_ports.go) compiled into a stand-in of Bamboo's
 * services/marathon package (test/bamboo/standin: its app type), as the image's build adds it to
 * Bamboo's. Without the file (`withPatch` false), what Bamboo alone makes of the same answer.
 */
export function bambooServicePorts(appsJson: string, withPatch = true): Record<string, number[]> {
    const gopath = path.join(WORK, withPatch ? "gopath-patched" : "gopath-plain");
    const bin = path.join(gopath, "decode");
    if (!fs.existsSync(bin)) {
        const pkg = path.join(gopath, "src", "standin", "marathon");
        fs.mkdirSync(pkg, { recursive: true });
        fs.copyFileSync(path.join(__dirname, "standin", "marathon", "marathon_types.go"), path.join(pkg, "marathon_types.go"));
        if (withPatch) {
            fs.copyFileSync(path.join(__dirname, "..", "..", "images", "bamboo", "patch", "marathon_service_ports.go"), path.join(pkg, "marathon_service_ports.go"));
        }
        fs.mkdirSync(path.join(gopath, "src", "standin", "decode"), { recursive: true });
        fs.copyFileSync(path.join(__dirname, "standin", "decode", "main.go"), path.join(gopath, "src", "standin", "decode", "main.go"));
        const built = spawnSync("go", ["build", "-o", bin, "standin/decode"], {
            encoding: "utf8",
            timeout: 300_000,
            env: { ...process.env, CGO_ENABLED: "0", GO111MODULE: "off", GOFLAGS: "", GOCACHE: path.join(WORK, "gocache"), GOPATH: gopath },
        });
        if (built.status !== 0) {
            throw new Error(`go build failed: ${built.stderr}`);
        }
    }
    const r = spawnSync(bin, [], { input: appsJson, encoding: "utf8", timeout: 30_000 });
    if (r.status !== 0) {
        throw new Error(`decoding failed: ${r.stderr}`);
    }
    return JSON.parse(r.stdout);
}

/** `haproxy -c` on a config (and more, each with its own -f, as HAProxy loads them): its exit status and what it printed. */
export function haproxyCheck(config: string, ...more: string[]): { status: number | null; output: string } {
    const files = [config, ...more].map((content, i) => {
        const file = path.join(WORK, `check-${process.hrtime.bigint()}-${i}.cfg`);
        fs.writeFileSync(file, content);
        return file;
    });
    const r = spawnSync("haproxy", ["-c", ...files.flatMap((f) => ["-f", f])], { encoding: "utf8", timeout: 30_000 });
    files.forEach((f) => fs.rmSync(f));
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** Removes the renderer and scratch files. */
export function cleanUp(): void {
    fs.rmSync(WORK, { recursive: true, force: true });
}
