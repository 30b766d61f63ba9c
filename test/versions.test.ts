import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { SERVICES } from "../components/services";
import { ROOT } from "./harness";

// The version set (images/versions.yaml) read against the code, and against itself: the facts in it
// were read from upstream source (each entry names its lines); this test keeps the code and the
// set from drifting apart, and the set's own rules from passing a set that does not fit.

interface Framework {
    version: string;
    image: string;
    libmesos: string;
    masterMinimum: string;
    calls: string[];
}
interface VersionSet {
    mesos: { version: string; images: string[]; driverCalls: string[] };
    frameworks: Record<string, Framework>;
    consumers: Record<string, { version: string; needsPatch?: string[] }>;
    rejected: (Partial<Framework> & { framework: string; version: string; why: string })[];
}

const set = parse(fs.readFileSync(path.join(ROOT, "images", "versions.yaml"), "utf8")) as VersionSet;

const semver = (v: string) => v.split(".").map(Number);
function atLeast(v: string, min: string): boolean {
    const [a, b] = [semver(v), semver(min)];
    for (let i = 0; i < 3; i++) {
        if (a[i] !== b[i]) {
            return a[i] > b[i];
        }
    }
    return true;
}

/** Why a framework does not fit the masters' Mesos, or nothing when it does. */
function misfits(mesos: VersionSet["mesos"], f: Pick<Framework, "masterMinimum" | "calls" | "libmesos">): string[] {
    const problems: string[] = [];
    if (!atLeast(mesos.version, f.masterMinimum)) {
        problems.push(`needs masters at ${f.masterMinimum} or later; they run ${mesos.version}`);
    }
    const missing = f.calls.filter((c) => !mesos.driverCalls.includes(c));
    if (missing.length > 0) {
        problems.push(`calls ${missing.join(", ")}, which Mesos ${mesos.version} has not`);
    }
    if (f.libmesos !== undefined && semver(f.libmesos)[0] !== semver(mesos.version)[0]) {
        problems.push(`its libmesos ${f.libmesos} is of another major version than the masters' ${mesos.version}`);
    }
    return problems;
}

const fromLine = (image: string) => /^FROM (\S+)$/m.exec(fs.readFileSync(path.join(ROOT, "images", image, "Dockerfile"), "utf8"))?.[1];

describe("the version set", () => {
    test("every image is built from the set's upstream tag", () => {
        expect([fromLine("master"), fromLine("agent")]).toEqual(set.mesos.images);
        expect(fromLine("marathon")).toBe(set.frameworks.marathon.image);
        expect(fromLine("chronos")).toBe(set.frameworks.chronos.image);
        const bamboo = fs.readFileSync(path.join(ROOT, "images", "bamboo", "Dockerfile"), "utf8");
        expect(bamboo).toContain(`ARG BAMBOO_VERSION=${set.consumers.bamboo.version}\n`);
        // What the set says Bamboo needs to fit is in its build.
        expect(bamboo).toContain("RUN sh /patch/apply.sh /patch\n");
        for (const file of set.consumers.bamboo.needsPatch ?? []) {
            const apply = fs.readFileSync(path.join(ROOT, "images", "bamboo", "patch", "apply.sh"), "utf8");
            expect({ file, there: fs.existsSync(path.join(ROOT, file)), applied: apply.includes(`"$patch/${path.basename(file)}"`) }).toEqual({ file, there: true, applied: true });
        }
    });

    test("every service runs the set's version (and its flags are checked against that version's list)", () => {
        const version = (name: string) => SERVICES.find((s) => s.name === name)?.version;
        expect({ master: version("master"), agent: version("agent"), marathon: version("marathon"), chronos: version("chronos"), bamboo: version("bamboo") }).toEqual({
            master: set.mesos.version,
            agent: set.mesos.version,
            marathon: set.frameworks.marathon.version,
            chronos: set.frameworks.chronos.version,
            bamboo: set.consumers.bamboo.version,
        });
    });

    test.each(Object.keys(set.frameworks))("%s fits the masters: their version meets its minimum, and Mesos has every call it makes", (name) => {
        expect(misfits(set.mesos, set.frameworks[name])).toEqual([]);
    });

    test.each(set.rejected.map((r) => [`${r.framework} ${r.version}`, r] as const))("%s is still refused by the same rules", (_, r) => {
        const problems = misfits(set.mesos, { libmesos: set.mesos.version, masterMinimum: "0.0.0", calls: [], ...r } as Framework);
        expect(problems.length).toBeGreaterThan(0);
    });

    test("the rules refuse what they should: an old master, a call Mesos lacks, another major version", () => {
        const fits = set.frameworks.marathon;
        expect(misfits({ ...set.mesos, version: "1.4.1" }, fits)).toEqual(["needs masters at 1.5.0 or later; they run 1.4.1"]);
        expect(misfits(set.mesos, { ...fits, calls: [...fits.calls, "updateFramework/2"] })).toEqual(["calls updateFramework/2, which Mesos 1.7.1 has not"]);
        expect(misfits(set.mesos, { ...fits, libmesos: "0.28.2" })).toEqual(["its libmesos 0.28.2 is of another major version than the masters' 1.7.1"]);
    });
});
