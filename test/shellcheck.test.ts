import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT } from "./harness";
import { toolAvailable } from "./tools/available";

// npm test runs scripts/shellcheck.sh over every shell file; these say that it finds them all
// and that a finding does fail it.
const check = (...args: string[]) => spawnSync("bash", [path.join(ROOT, "scripts", "shellcheck.sh"), ...args], { encoding: "utf8", timeout: 60_000 });

test("every shell file is checked: the *.sh files, and the others by their first line", () => {
    const listed = check("--list").stdout.split("\n");
    const entrypoints = (fs.readdirSync(path.join(ROOT, "images"), { recursive: true }) as string[]).filter((f) => f.endsWith(".sh")).map((f) => `images/${f}`);
    expect(entrypoints.length).toBeGreaterThan(5);
    // The programs the hosts are sent, a file only ever sourced (no shebang), and one with no .sh.
    expect(listed).toEqual(expect.arrayContaining([...entrypoints, "components/runtimes/unit-create.sh", "components/runtimes/free-name.sh", "scripts/rootfs.sh", ".ci/run"]));
    // Another language's shebang, and no shebang at all.
    expect(listed).not.toContain("test/tools/zk_writer.py");
    expect(listed).not.toContain("index.ts");
});

(toolAvailable("shellcheck", "shellcheck") ? describe : describe.skip)("a finding fails the check (a negative control)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shellcheck-"));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const script = (name: string, text: string) => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, `#!/bin/sh\n${text}\n`);
        return file;
    };

    test.each([
        // The shape that bash read as a quote running into the next check (test/entrypoints.test.ts).
        ["a quote in a ${VAR:?message}", ["SC2016 (info)", "SC1011 (warning)"], ': "${A:?set A to the peer\'s port}"\n: "${B:?set B to the peer\'s id}"'],
        // A finding of the lowest severity alone: none is lowered.
        ["command substitution by backquotes", ["SC2006 (style)"], 'x=`date`\necho "$x"'],
    ])("%s", (_, findings, text) => {
        const r = check(script("broken.sh", text));
        expect({ failed: r.status !== 0, findings: r.stdout.match(/SC\d+ \(\w+\)/g) }).toEqual({ failed: true, findings });
    });

    test("a clean file passes", () => {
        const r = check(script("clean.sh", 'printf "%s\\n" "$@"'));
        expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 0, stdout: expect.stringMatching(/: 1 shell files, no finding\n$/) });
    });
});
