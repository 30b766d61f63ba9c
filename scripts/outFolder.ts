/**
 * The folder `npm run render` writes into. Render runs on pull requests' stack files, so it
 * writes nowhere but inside that folder, and it empties only a folder that is new, empty, or
 * one it wrote before (marked by MARKER): never the filesystem's root, the project or a folder
 * that holds it, a symbolic link, or a folder of someone else's files.
 */
import * as fs from "fs";
import * as path from "path";

/** Left in every folder render writes, so that the next render may empty it. */
export const MARKER = ".mesos-cluster-render";

/** `p` with every symbolic link in it resolved, as far as it exists. */
function realPath(p: string): string {
    let existing = p;
    const rest: string[] = [];
    while (!fs.existsSync(existing)) {
        rest.unshift(path.basename(existing));
        existing = path.dirname(existing);
    }
    return path.join(fs.realpathSync(existing), ...rest);
}

/** Why render must not write into `out` (absolute), or undefined if it may. `project`: the project's folder. */
export function outFolderProblem(out: string, project: string): string | undefined {
    const stat = fs.lstatSync(out, { throwIfNoEntry: false });
    if (stat?.isSymbolicLink()) {
        return `--out ${out} is a symbolic link; give the folder itself`;
    }
    if (stat !== undefined && !stat.isDirectory()) {
        return `--out ${out} is not a folder`;
    }
    const real = realPath(out);
    const root = realPath(project);
    if (real === path.parse(real).root) {
        return `--out ${out} is the filesystem's root; give a folder of its own, e.g. render-out`;
    }
    if (real === root || root.startsWith(`${real}${path.sep}`)) {
        return `--out ${out} is the project's folder or holds it, which render would empty; give a folder of its own, e.g. render-out`;
    }
    if (stat !== undefined && fs.readdirSync(out).length > 0 && !fs.existsSync(path.join(out, MARKER))) {
        return `--out ${out} holds files render did not write, which it would delete; give a new or empty folder, or one render wrote before (it holds ${MARKER})`;
    }
    return undefined;
}

/** Empties `out` (absolute) for a render and marks it as render's; throws if render must not. */
export function prepareOut(out: string, project: string): void {
    const problem = outFolderProblem(out, project);
    if (problem !== undefined) {
        throw new Error(problem);
    }
    fs.rmSync(out, { recursive: true, force: true });
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, MARKER), "Written by npm run render: the next render empties this folder.\n", { flag: "wx" });
}

/**
 * Writes `rel` under `out`, refusing a path that leads out of it; never through an existing
 * path (a link included): render writes into a folder it has just emptied.
 */
export function writeInside(out: string, rel: string, content: string, mode: number): void {
    const file = path.resolve(out, rel);
    const inside = path.relative(out, file);
    if (path.isAbsolute(rel) || inside === "" || inside.startsWith("..") || path.isAbsolute(inside) || rel.split(/[\\/]/).includes("..")) {
        throw new Error(`refusing to write ${rel}: it is not a path inside ${out}`);
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content, { mode, flag: "wx" });
}
