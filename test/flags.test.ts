import * as fs from "fs";
import * as path from "path";
import { VERSIONS } from "../components/versions";
import { emitted } from "./emitted";
import { ROOT, evaluate, stackConfig, stackNames } from "./harness";

const FLAGS_DIR = path.resolve(ROOT, "..", "shared", "reference", "flags");

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

const daemons: Record<string, { file: string; envPrefix: string }> = {
    master: { file: `mesos-master-${VERSIONS.mesos}.txt`, envPrefix: "MESOS_" },
    agent: { file: `mesos-agent-${VERSIONS.mesos}.txt`, envPrefix: "MESOS_" },
    marathon: { file: `marathon-${VERSIONS.marathon}.txt`, envPrefix: "MARATHON_" },
    chronos: { file: `chronos-${VERSIONS.chronos}.txt`, envPrefix: "CHRONOS_" },
};

/** `--name=value`, `--name` and `--no-name` all set the flag `name`. */
function flagName(arg: string): string {
    const m = /^--(?:no-)?([a-z0-9_]+)(=.*)?$/.exec(arg);
    if (m === null) {
        throw new Error(`"${arg}" is not a --flag`);
    }
    return m[1];
}

describe.each(stackNames())("stack %s: every flag the program emits exists upstream", (stack) => {
    test.each(Object.entries(daemons))("%s", async (label, { file, envPrefix }) => {
        const { names, deprecated } = accepted(file);
        const e = await evaluate(stackConfig(stack), stack);
        const services = emitted(e).filter((s) => s.label === label);
        expect(services.length).toBeGreaterThan(0);
        for (const s of services) {
            const fromEnv = Object.keys(s.env)
                .filter((k) => k.startsWith(envPrefix))
                .map((k) => k.slice(envPrefix.length).toLowerCase());
            const used = [...s.args.map(flagName), ...fromEnv];
            expect(used.length).toBeGreaterThan(0);
            for (const name of used) {
                expect({ flag: name, known: names.has(name), deprecatedAlias: deprecated.has(name) }).toEqual({
                    flag: name,
                    known: true,
                    deprecatedAlias: false,
                });
            }
            // A flag given twice (or as both flag and env var) is ambiguous.
            expect(new Set(used).size).toBe(used.length);
        }
    });
});

test("the flag lists for the pinned versions are there", () => {
    for (const { file } of Object.values(daemons)) {
        expect(accepted(file).names.size).toBeGreaterThan(40);
    }
});
