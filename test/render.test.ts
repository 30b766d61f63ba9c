import fc from "fast-check";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError } from "../components/config";
import { MARKER, outFolderProblem, writeInside } from "../scripts/outFolder";
import { render } from "../scripts/render";
import { ROOT } from "./harness";

// `npm run render` runs on pull requests' stack files: it writes nowhere but inside --out, and
// empties only a folder that is new, empty or its own.

const sandbox = () => fs.mkdtempSync(path.join(os.tmpdir(), "render-out-"));
/** Every path under `dir`, relative to it, links not followed. */
function tree(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
        const rel = d.name;
        return d.isDirectory() ? [`${rel}/`, ...tree(path.join(dir, rel)).map((x) => `${rel}/${x}`)] : [rel];
    });
}

describe("the folder it writes into", () => {
    const tmp = sandbox();
    afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

    test.each([
        ["the filesystem's root", () => "/", /is the filesystem's root/],
        ["the project", () => ROOT, /is the project's folder or holds it/],
        ["the project, as --out . from it", () => path.resolve("."), /is the project's folder or holds it/],
        ["a folder that holds the project", () => path.dirname(ROOT), /is the project's folder or holds it/],
    ])("%s is refused", (_, out, message) => {
        // Asked of the check alone: were it broken, render would empty these.
        expect(outFolderProblem(out(), ROOT)).toMatch(message);
    });

    test("a folder of someone else's files is refused, and kept", () => {
        const out = path.join(tmp, "theirs");
        fs.mkdirSync(out);
        fs.writeFileSync(path.join(out, "notes.txt"), "mine");
        expect(() => render("dev", out)).toThrow(/holds files render did not write/);
        expect(tree(out)).toEqual(["notes.txt"]);
    });

    test("a symbolic link is refused, and what it points at kept", () => {
        const target = path.join(tmp, "target");
        fs.mkdirSync(target);
        fs.writeFileSync(path.join(target, "keep.txt"), "x");
        const link = path.join(tmp, "link");
        fs.symlinkSync(target, link);
        expect(() => render("dev", link)).toThrow(/is a symbolic link/);
        expect(tree(target)).toEqual(["keep.txt"]);
    });

    test("a file is refused", () => {
        const file = path.join(tmp, "file");
        fs.writeFileSync(file, "x");
        expect(() => render("dev", file)).toThrow(/is not a folder/);
        expect(fs.readFileSync(file, "utf8")).toBe("x");
    });

    test("a new folder, an empty one, and one render wrote before are written; a link left inside is removed, not followed", () => {
        const out = path.join(tmp, "new", "out");
        const written = render("dev", out);
        expect(tree(out).filter((x) => !x.endsWith("/")).sort()).toEqual([...written, MARKER].sort());
        const victim = path.join(tmp, "victim");
        fs.mkdirSync(victim);
        fs.writeFileSync(path.join(victim, "keep.txt"), "x");
        fs.symlinkSync(victim, path.join(out, "local", "etc", "sneaky"));
        expect(render("dev", out)).toEqual(written);
        expect(tree(victim)).toEqual(["keep.txt"]);
        const empty = path.join(tmp, "empty");
        fs.mkdirSync(empty);
        expect(render("dev", empty)).toEqual(written);
    });

    test("an unknown stack or a stack name that is a path is refused", () => {
        expect(() => render("../Pulumi.dev", path.join(tmp, "x"))).toThrow(/no stack file/);
        expect(() => render("nope", path.join(tmp, "y"))).toThrow(/no stack file/);
    });
});

test("writeInside never writes outside its folder, whatever the path (300 runs)", () => {
    // Deeper than a path can climb, so that a broken check writes into the sandbox, not above it.
    const tmp = sandbox();
    const base = path.join(tmp, "1", "2", "3", "4", "5", "6", "7");
    const out = path.join(base, "out");
    fs.mkdirSync(out, { recursive: true });
    const segment = fc.oneof(fc.constantFrom("..", ".", "", "etc", "a b", "x"), fc.stringMatching(/^[a-z.]{1,4}$/));
    let n = 0;
    const outside = () => tree(tmp).filter((x) => !x.endsWith("/") && !x.startsWith("1/2/3/4/5/6/7/out/"));
    fc.assert(
        fc.property(fc.array(segment, { minLength: 1, maxLength: 6 }), (segments) => {
            try {
                writeInside(out, `${segments.join("/")}/f${n++}`, "x", 0o644);
            } catch {
                // Refused, or a file where a folder was wanted: either way, nothing outside.
            }
            expect(outside()).toEqual([]);
        }),
        { numRuns: 300 },
    );
    expect(() => writeInside(out, `${tmp}/abs`, "x", 0o644)).toThrow(/not a path inside/);
    expect(outside()).toEqual([]);
    fs.rmSync(tmp, { recursive: true, force: true });
});

describe("any stack's own names and paths", () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,6}[a-z0-9]$/);
    const folder = fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,5}$/), fc.constantFrom("{host}", "..", ".", "x{host}y"));
    const stack = fc.record({
        hosts: fc.uniqueArray(name, { minLength: 1, maxLength: 3 }),
        dataRoot: fc.array(folder, { minLength: 1, maxLength: 4 }).map((fs_) => `/${fs_.join("/")}`),
        prefix: fc.oneof(fc.constant(""), fc.stringMatching(/^[a-z0-9][a-z0-9_.]{0,4}-$/)),
    });

    test("are refused, or written inside --out and nowhere else (60 runs)", () => {
        // A project of its own: the stack file is the property's, and tests beside read the project's.
        const tmp = sandbox();
        const project = path.join(tmp, "project");
        fs.mkdirSync(project);
        fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(project, "Pulumi.yaml"));
        let n = 0;
        let accepted = 0;
        try {
            fc.assert(
                fc.property(stack, ({ hosts, dataRoot, prefix }) => {
                    const masters = hosts.length % 2 === 1 ? hosts : hosts.slice(1);
                    fs.writeFileSync(
                        path.join(project, "Pulumi.p.yaml"),
                        JSON.stringify({
                            config: {
                                "mesos-cluster:runtime": "systemd",
                                "mesos-cluster:masters": masters.map((h, i) => `${h}=127.0.0.${i + 1}`),
                                "mesos-cluster:agents": [masters[0]],
                                "mesos-cluster:dataRoot": dataRoot,
                                "mesos-cluster:containerPrefix": prefix,
                            },
                        }),
                    );
                    const out = path.join(tmp, `out${n++}`);
                    let written: string[];
                    try {
                        written = render("p", out, project);
                    } catch (e) {
                        expect(e).toBeInstanceOf(ConfigError);
                        expect(fs.existsSync(out)).toBe(false);
                        return;
                    }
                    accepted++;
                    expect(fs.readdirSync(tmp).filter((x) => !x.startsWith("out")).sort()).toEqual(["project"]);
                    expect(fs.readdirSync(project).sort()).toEqual(["Pulumi.p.yaml", "Pulumi.yaml"]);
                    expect(tree(out).filter((x) => !x.endsWith("/")).sort()).toEqual([...written, MARKER].sort());
                    fs.rmSync(out, { recursive: true, force: true });
                }),
                { numRuns: 60 },
            );
            expect(accepted).toBeGreaterThan(10);
        } finally {
            fs.rmSync(tmp, { recursive: true, force: true });
        }
    });
});
