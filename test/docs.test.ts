import * as fs from "fs";
import * as path from "path";

// The README and docs/ make claims about the code: the stack outputs, the npm commands, the
// files they link to or name. Each claim is checked here, so that the documentation cannot
// drift from the program unnoticed. (The configuration table is checked in config.test.ts.)

const ROOT = path.resolve(__dirname, "..");
const read = (rel: string) => fs.readFileSync(path.join(ROOT, rel), "utf8");

/** Every markdown file under docs/, relative to ROOT. */
function docsFiles(dir = "docs"): string[] {
    if (!fs.existsSync(path.join(ROOT, dir))) {
        return [];
    }
    return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
        const rel = path.posix.join(dir, e.name);
        return e.isDirectory() ? docsFiles(rel) : e.name.endsWith(".md") ? [rel] : [];
    });
}

const DOCS = ["README.md", ...docsFiles()];
/** Paths in these files are not checked: the page is being rewritten with the code's structure. */
const PATHS_UNCHECKED = new Set(["docs/development/layout.md"]);

/** The text with fenced code blocks removed. */
const withoutFences = (md: string) => md.replace(/^ *```[^\n]*\n[\s\S]*?^ *```[^\n]*$/gm, "");
/** The lines inside fenced code blocks. */
const fencedBlocks = (md: string) => [...md.matchAll(/^ *```[^\n]*\n([\s\S]*?)^ *```[^\n]*$/gm)].map((m) => m[1]);
/** Inline code spans, outside fenced blocks. */
const codeSpans = (md: string) => [...withoutFences(md).matchAll(/`([^`\n]+)`/g)].map((m) => m[1]);

/** A level-2 section: from its heading to the next level-2 heading. */
function section(md: string, heading: string): string {
    const start = md.indexOf(`\n## ${heading}\n`);
    expect(start).toBeGreaterThanOrEqual(0);
    const rest = md.slice(start + 1);
    const end = rest.slice(3).search(/^## /m);
    return end < 0 ? rest : rest.slice(0, end + 3);
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
const slug = (heading: string) =>
    heading
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, "")
        .replace(/ /g, "-");
const anchors = (md: string) => new Set([...withoutFences(md).matchAll(/^#{1,6} +(.+)$/gm)].map((m) => slug(m[1])));

describe("the README's outputs table", () => {
    const exported = [...read("index.ts").matchAll(/^export const (\w+)/gm)].map((m) => m[1]);
    const listed = [...section(read("README.md"), "Outputs").matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]);

    test("index.ts exports outputs", () => {
        expect(exported.length).toBeGreaterThan(0);
    });
    test("lists exactly the outputs index.ts exports, each once", () => {
        expect([...listed].sort()).toEqual([...exported].sort());
    });
});

describe.each(DOCS)("%s", (file) => {
    const md = read(file);

    test("every npm command names a script of package.json (or an npm built-in)", () => {
        const scripts = new Set([...Object.keys(JSON.parse(read("package.json")).scripts), "test", "ci", "install"]);
        const code = [...codeSpans(md), ...fencedBlocks(md)].join("\n");
        const named = [...code.matchAll(/\bnpm +(run +)?([\w:.-]+)/g)].map((m) => (m[1] ? m[2] : m[2] === "run" ? "" : m[2]));
        const unknown = named.filter((s) => !scripts.has(s));
        expect(unknown).toEqual([]);
    });

    test("every relative link points to a file that exists (and a heading, with an anchor)", () => {
        const broken: string[] = [];
        const links = [...withoutFences(md).replace(/`[^`\n]+`/g, "").matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]);
        for (const link of links.filter((l) => !/^[a-z]+:/i.test(l))) {
            const [target, anchor] = link.split("#");
            const abs = target === "" ? path.join(ROOT, file) : path.resolve(path.dirname(path.join(ROOT, file)), decodeURI(target));
            if (!fs.existsSync(abs)) {
                broken.push(`${link}: no such file`);
            } else if (anchor !== undefined && abs.endsWith(".md") && !anchors(fs.readFileSync(abs, "utf8")).has(anchor)) {
                broken.push(`${link}: no such heading`);
            }
        }
        expect(broken).toEqual([]);
    });

    const checkPaths = PATHS_UNCHECKED.has(file) ? test.skip : test;
    checkPaths("every project path in backticks exists", () => {
        const prefixes = ["components/", "scripts/", "test/", "images/", "policy/", "bench/", "docs/", ".ci/", ".github/"];
        const claimed = codeSpans(md)
            .flatMap((span) => span.split(/\s+/))
            .map((token) => token.replace(/[,;:)]+$/, ""))
            .filter((token) => prefixes.some((p) => token.startsWith(p)))
            .filter((token) => !/[<*{…]/.test(token));
        const missing = claimed.filter((p) => !fs.existsSync(path.join(ROOT, p)));
        expect(missing).toEqual([]);
    });
});

test("docs/ has pages to check", () => {
    expect(docsFiles().length).toBeGreaterThan(0);
});

test("the README's quick start is exactly two commands: the dev stack and the tests", () => {
    const quickStart = section(read("README.md"), "Quick start");
    const blocks = fencedBlocks(quickStart);
    expect(blocks).toHaveLength(1);
    const commands = blocks[0]
        .split("\n")
        .map((l) => l.replace(/#.*$/, "").trim())
        .filter((l) => l !== "");
    expect(commands).toEqual(["npm run up:dev", "npm test"]);
});
