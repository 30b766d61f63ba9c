import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { CONFIG_NAMESPACE, KEYS, fullKey } from "../components/config";

interface Declaration {
    readonly default?: unknown;
    readonly secret?: boolean;
}

/** Pulumi.yaml's declarations, by full key. */
export function projectDeclarations(root: string): Record<string, Declaration> {
    const declared = parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")).config ?? {};
    return Object.fromEntries(Object.entries<Declaration>(declared).map(([k, d]) => [k.includes(":") ? k : `${CONFIG_NAMESPACE}:${k}`, d]));
}

/**
 * The keys the program declares secret, by full key. Pulumi.yaml cannot declare them (an optional
 * secret is impossible there: scripts/project-config.ts), so the program's own table says.
 */
export function secretKeys(): string[] {
    return Object.entries(KEYS)
        .filter(([, d]) => "secret" in d && d.secret)
        .map(([k]) => fullKey(k));
}

/** Every stack file in `root`, by stack name. */
export function stackNames(root: string): string[] {
    return fs
        .readdirSync(root)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

const asConfigString = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));

/**
 * What a Pulumi CLI hands the program for `stack`, without the CLI: the project's declared
 * defaults overlaid with the stack file's values, each as a string (structured ones as JSON).
 * Encrypted (`secure:`) values cannot be read here: they are left out and listed in `secure`.
 */
export function readStackConfig(root: string, stack: string): { values: Record<string, string>; secure: string[] } {
    const file = path.join(root, `Pulumi.${stack}.yaml`);
    // Only a stack file of the project: a name is never a path.
    if (!stackNames(root).includes(stack)) {
        throw new Error(`no stack file ${file}; the stacks here are: ${stackNames(root).join(", ")}`);
    }
    const values: Record<string, string> = {};
    const secure: string[] = [];
    for (const [key, decl] of Object.entries(projectDeclarations(root))) {
        if (decl.default !== undefined) {
            values[key] = asConfigString(decl.default);
        }
    }
    for (const [key, value] of Object.entries<unknown>(parse(fs.readFileSync(file, "utf8"))?.config ?? {})) {
        if (typeof value === "object" && value !== null && "secure" in value) {
            secure.push(key);
        } else {
            values[key] = asConfigString(value);
        }
    }
    return { values, secure };
}
