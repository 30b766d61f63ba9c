import * as fs from "fs";
import * as path from "path";
import { SERVICES } from "../components/services";
import { emitted } from "./emitted";
import { ROOT, evaluate, stackConfig, stackNames } from "./harness";

// Every flag the program passes a daemon, and every variable that sets one, must be a flag that
// daemon accepts at the version its image runs: reference/flags/ lists them from upstream source.

const FLAGS_DIR = path.join(ROOT, "reference", "flags");

/** The flags a daemon accepts at a version, split into current names and deprecated aliases. */
function accepted(file: string): { names: Set<string>; deprecated: Set<string> } {
    const names = new Set<string>();
    const deprecated = new Set<string>();
    for (const line of fs.readFileSync(path.join(FLAGS_DIR, file), "utf8").split("\n")) {
        const [name] = line.trim().split(/\s+/);
        if (name) {
            (line.includes("deprecated") ? deprecated : names).add(name);
        }
    }
    return { names, deprecated };
}

/** `--name=value`, `--name` and `--no-name` all set the flag `name`. */
function flagName(arg: string): string {
    const m = /^--(?:no-)?([a-z0-9_]+)(=.*)?$/.exec(arg);
    if (m === null) {
        throw new Error(`"${arg}" is not a --flag`);
    }
    return m[1];
}

const daemons = SERVICES.flatMap((s) => (s.upstream === undefined ? [] : [{ service: s.name, ...s.upstream, file: `${s.upstream.daemon}-${s.upstream.version}.txt` }]));

test("every service that runs an upstream daemon has its flag list in the repository", () => {
    expect(daemons.map((d) => d.daemon).sort()).toEqual(["chronos", "marathon", "mesos-agent", "mesos-master"]);
    for (const d of daemons) {
        expect({ file: d.file, names: accepted(d.file).names.size > 40 }).toEqual({ file: d.file, names: true });
    }
});

describe.each(stackNames())("stack %s: every flag the program emits exists upstream", (stack) => {
    test.each(daemons.map((d) => [d.service, d] as const))("%s", async (service, d) => {
        const { names, deprecated } = accepted(d.file);
        const e = await evaluate(stackConfig(stack), stack);
        const services = emitted(e).filter((s) => s.label === service);
        expect(services.length).toBeGreaterThan(0);
        for (const s of services) {
            const fromEnv =
                d.envPrefix === undefined
                    ? []
                    : Object.keys(s.env)
                          .filter((k) => k.startsWith(d.envPrefix as string))
                          .map((k) => k.slice((d.envPrefix as string).length).toLowerCase());
            const used = [...s.args.map(flagName), ...fromEnv];
            expect(used.length).toBeGreaterThan(0);
            for (const name of used) {
                expect({ flag: name, known: names.has(name), deprecatedAlias: deprecated.has(name) }).toEqual({ flag: name, known: true, deprecatedAlias: false });
            }
            // A flag given twice (or as both flag and env var) is ambiguous.
            expect(new Set(used).size).toBe(used.length);
        }
    });
});
