import * as fs from "fs";
import * as path from "path";

/**
 * A shell program kept in a file of this folder (where ShellCheck reads it, `scripts/shellcheck.sh`),
 * as a host is sent it: without the comments and blank lines it opens with, which are for readers
 * and ShellCheck (every byte sent is kept in each unit's state), and without the file's last newline.
 * Each `@NAME@` is replaced by `values[NAME]`; a value with no slot, or a slot left, is an error.
 * Read with a path from this module's own folder, so that it is found wherever the program runs from.
 */
export function shellProgram(file: string, values: Readonly<Record<string, string>> = {}): string {
    const lines = fs.readFileSync(path.join(__dirname, file), "utf8").split("\n");
    let program = lines
        .slice(lines.findIndex((l) => l !== "" && !l.startsWith("#")))
        .join("\n")
        .replace(/\n$/, "");
    for (const [name, value] of Object.entries(values)) {
        const slot = `@${name}@`;
        if (!program.includes(slot)) {
            throw new Error(`${file} has no ${slot} for the value it is given`);
        }
        program = program.split(slot).join(value);
    }
    const left = /@[A-Z_]+@/.exec(program);
    if (left !== null) {
        throw new Error(`${file}: ${left[0]} is given no value`);
    }
    return program;
}
