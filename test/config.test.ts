import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { ConfigError, KEYS, parseConfig } from "../components/config";
import { ROOT } from "./harness";

const project = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));

describe("Pulumi.yaml declares exactly the keys the program reads", () => {
    const secret = (decl: (typeof KEYS)[keyof typeof KEYS]) => "secret" in decl && decl.secret === true;
    test("same keys, but for the optional secrets, which the CLI would make required", () => {
        // The CLI requires a declared key that has no default, and refuses a declared secret's
        // default as unencrypted (test/engine.test.ts runs it on every stack).
        expect(Object.keys(project.config).sort()).toEqual(
            Object.entries(KEYS)
                .filter(([, d]) => !secret(d))
                .map(([k]) => k)
                .sort(),
        );
    });
    test.each(Object.entries(KEYS).filter(([, d]) => !secret(d)))("%s: same type, default and description", (key, decl) => {
        const declared = project.config[key];
        expect(declared.type).toBe(decl.kind);
        expect(declared.description).toBe(decl.description);
        expect(declared.default).toEqual(decl.schema.parse(undefined));
        if (decl.kind === "array") {
            expect(declared.items).toEqual({ type: "string" });
        }
    });
    test("the project runs TypeScript on Node", () => {
        expect(project.name).toBe("mesos-cluster");
        expect(project.runtime.name).toBe("nodejs");
    });
});

describe("values arrive as Pulumi hands them: strings, structured ones as JSON", () => {
    test("defaults make the dev layout", () => {
        const c = parseConfig({});
        expect(c.masters).toEqual(["local=127.0.0.1"]);
        expect(c.agents).toEqual(["local"]);
        expect(c.marathonPort).toBe(8080);
    });
    test("integers and arrays are decoded", () => {
        const c = parseConfig({ "mesos-cluster:marathonPort": "9090", "mesos-cluster:masters": '["a=10.0.0.1"]' });
        expect(c.marathonPort).toBe(9090);
        expect(c.masters).toEqual(["a=10.0.0.1"]);
    });
    test("other namespaces are left alone", () => {
        expect(() => parseConfig({ "docker:host": "unix:///var/run/docker.sock" })).not.toThrow();
    });
});

function failure(raw: Record<string, string>): string {
    try {
        parseConfig(raw);
    } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as Error).message;
    }
    throw new Error("expected a ConfigError");
}

describe("bad values name the key", () => {
    test.each<[string, Record<string, string>, RegExp]>([
        ["unknown key", { "mesos-cluster:mastres": "[]" }, /mesos-cluster:mastres: unknown key; remove it or check its spelling/],
        ["port out of range", { "mesos-cluster:marathonPort": "70000" }, /mesos-cluster:marathonPort: must be a whole number from 1 to 65535/],
        ["port of the wrong type", { "mesos-cluster:masterPort": "fifty" }, /mesos-cluster:masterPort: must be a whole number from 1 to 65535/],
        ["masters not a list", { "mesos-cluster:masters": "m1=10.0.0.1" }, /mesos-cluster:masters: must be a list of "name=address" strings/],
        ["empty master list", { "mesos-cluster:masters": "[]" }, /mesos-cluster:masters: needs at least one master/],
        ["master without address", { "mesos-cluster:masters": '["m1"]' }, /mesos-cluster:masters\[0\]: "m1" is not NAME=ADDRESS/],
        ["invalid address", { "mesos-cluster:masters": '["m1=10.0.0.300"]' }, /mesos-cluster:masters\[0\]: "10\.0\.0\.300" is not an IPv4 address/],
        ["host name with capitals", { "mesos-cluster:agents": '["Agent1=10.0.0.5"]' }, /mesos-cluster:agents\[0\]: host name "Agent1" must be/],
        ["unknown runtime", { "mesos-cluster:runtime": "kubernetes" }, /mesos-cluster:runtime: must be "docker"/],
        ["unknown engine", { "mesos-cluster:engine": "tcp" }, /mesos-cluster:engine: must be "local" or "ssh"/],
        ["relative data root", { "mesos-cluster:dataRoot": "data" }, /mesos-cluster:dataRoot: must be an absolute path/],
        ["bad duration", { "mesos-cluster:executorRegistrationTimeout": "10 minutes" }, /mesos-cluster:executorRegistrationTimeout: must be a Mesos duration/],
        ["bad attributes", { "mesos-cluster:agentAttributes": "rack=r1" }, /mesos-cluster:agentAttributes: must be "key:value;key:value"/],
    ])("%s", (_, raw, message) => {
        expect(failure(raw)).toMatch(message);
    });
});

test("the README documents every key with its default", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    for (const [key, decl] of Object.entries(KEYS)) {
        const def = "secret" in decl && decl.secret ? "(secret)" : decl.schema.parse(undefined);
        const row = readme.split("\n").find((l) => l.startsWith(`| \`${key}\` |`));
        expect(row).toBeDefined();
        expect(row).toContain(`| ${decl.kind} |`);
        expect(row).toContain(def === "(secret)" ? "| (secret) |" : typeof def === "string" ? (def === "" ? '`""`' : `\`${def}\``) : `\`${JSON.stringify(def)}\``);
    }
});
