import fc from "fast-check";
import { ConfigError, KEYS } from "../components/config";
import { SERVICES } from "../components/services";
import { stackTopology } from "../components/composition";
import { readStackConfig } from "../scripts/stackFile";
import { ROOT, evaluateFailure, problemsOf, secretKeys, stackConfig } from "./harness";

// One ConfigError lists every problem of a stack, whatever mix of keys is wrong: each key's
// own, those across keys, hosts and ports. A refused key never makes a later rule throw.

const K = (key: string) => `mesos-cluster:${key}`;
const json = (v: unknown) => JSON.stringify(v);
const three = ["m1=10.0.0.11", "m2=10.0.0.12", "m3=10.0.0.13"];


/** Bad values of the ha stack, each on a key of its own, with what each alone is refused for. */
type Bad = [key: string, value: string, messages: RegExp[]];
const POOL: Bad[] = [
    ["masters", json([...three, "m4=10.0.0.300"]), [/^mesos-cluster:masters\[3\]: "10\.0\.0\.300" is not an IPv4 address/, /^mesos-cluster:masters: 4 masters given; the count must be odd/]],
    ["agents", json(["x9"]), [/^mesos-cluster:agents\[0\]: "x9" has no address and is not a master/]],
    ["chronosPort", "8080", [/^mesos-cluster:chronosPort: chronos's port 8080 clashes with marathon's port 8080/]],
    ["logLevel", "DEBUG", [/^mesos-cluster:logLevel: must be INFO, WARNING or ERROR/]],
    ["agentTaskPorts", "32000-31000", [/^mesos-cluster:agentTaskPorts: "32000-31000" is not a range/]],
    ["containerPrefix", "mesos-", [/^mesos-cluster:containerPrefix: "mesos-" makes container names start with "mesos-"/]],
    ["registryPort", "2181", [/^mesos-cluster:registryPort: registry's port 2181 clashes with zookeeper's port 2181/]],
    ["sshUser", "ops team", [/^mesos-cluster:sshUser: must be a Unix user name/]],
    ["dataRoot", "data", [/^mesos-cluster:dataRoot: must be an absolute path/]],
    ["registryAuth", "true", [/^mesos-cluster:registryAuth: a password sent over plain HTTP can be read on the wire/]],
    ["executorRegistrationTimeout", "5 minutes", [/^mesos-cluster:executorRegistrationTimeout: must be a Mesos duration/]],
    ["bambooHosts", json(["edge"]), [/^mesos-cluster:bambooHosts\[0\]: "edge" has no address and is not a master or agent/]],
    ["masterPort", "-1", [/^mesos-cluster:masterPort: must be a whole number from 1 to 65535/]],
    ["authentication", "yes", [/^mesos-cluster:authentication: must be true or false/]],
    ["quorum", "1", [/^mesos-cluster:quorum: unknown key/]],
];
const ha = () => stackConfig("ha");
const withBad = (bad: readonly Bad[]) => ({ ...ha(), ...Object.fromEntries(bad.map(([k, v]) => [K(k), v])) });

test("the review's stack: 4 masters, an address typo and an agent naming no host are reported together, with nothing registered", async () => {
    const { error, registered } = await evaluateFailure(withBad(POOL.slice(0, 2)), secretKeys());
    expect(error.name).toBe("ConfigError");
    for (const m of [...POOL[0][2], ...POOL[1][2]]) {
        expect(error.message).toMatch(new RegExp(m.source.replace(/^\^/, "  - ")));
    }
    expect(registered).toBe(0);
});

test("each bad value of the pool is refused alone for exactly what it is listed with", () => {
    for (const bad of POOL) {
        const found = problemsOf(withBad([bad]));
        expect({ key: bad[0], found: found.length }).toEqual({ key: bad[0], found: bad[2].length });
        for (const m of bad[2]) {
            expect(found.some((p) => m.test(p))).toBe(true);
        }
    }
});

test.each([
    ["prod", { runtime: "sytemd" }, /^mesos-cluster:runtime: must be "docker" or "systemd"/],
    ["ha", { marathonPort: "eighty", chronosPort: "8080" }, /^mesos-cluster:marathonPort: must be a whole number/],
    ["ha", { masters: "m1=10.0.0.11" }, /^mesos-cluster:masters: must be a list/],
    ["prod", { chronosMailServer: "smtp.example.com" }, /^mesos-cluster:chronosMailServer: must be empty or "host:port"/],
    ["prod", { registryTlsCertificate: "my cert" }, /^mesos-cluster:registryTlsCertificate: must be empty or a PEM certificate chain/],
])("stack %s with %j: the refused key's default stands in without a problem of its own", (stack, changes, message) => {
    const found = problemsOf({ ...stackConfig(stack), ...Object.fromEntries(Object.entries(changes).map(([k, v]) => [K(k), v])) });
    expect(found).toEqual([expect.stringMatching(message)]);
});

test("any mix of them is refused for all of them at once, in one error (300 runs)", () => {
    fc.assert(
        fc.property(fc.subarray(POOL, { minLength: 1 }), (bad) => {
            const found = problemsOf(withBad(bad));
            for (const m of bad.flatMap(([, , ms]) => ms)) {
                expect({ expected: m.source, found: found.some((p) => m.test(p)) }).toEqual({ expected: m.source, found: true });
            }
        }),
        { numRuns: 300 },
    );
});

test("a mix evaluated as the program: one ConfigError, every problem, nothing registered (12 runs)", async () => {
    await fc.assert(
        fc.asyncProperty(fc.subarray(POOL, { minLength: 2 }), async (bad) => {
            const { error, registered } = await evaluateFailure(withBad(bad), secretKeys());
            expect(error.name).toBe("ConfigError");
            for (const m of bad.flatMap(([, , ms]) => ms)) {
                expect(error.message).toMatch(new RegExp(m.source.replace(/^\^/, "  - ")));
            }
            expect(registered).toBe(0);
        }),
        { numRuns: 12 },
    );
});

/** Values of any shape a stack file can hold, good and bad, host entries among them. */
const anyValue = fc.oneof(
    fc.string(),
    fc.constantFrom("", "-1", "0", "65536", "true", "yes", "[]", "{}", "null", "10000-20000", "2-1", "x", "m1", "{{secret:agent}}"),
    fc.integer({ min: -70000, max: 70000 }).map(String),
    fc.json(),
    fc
        .array(
            fc.oneof(
                fc.constantFrom("m1", "m2", "a1", "e1", "x9", "m1=10.0.0.11", "m4=10.0.0.300", "A=1.2.3.4", "a1=10.0.0.21", "z=0.0.0.0", "=", "m1=10.0.0.11=x"),
                fc.tuple(fc.stringMatching(/^[a-z][a-z0-9]{0,3}$/), fc.ipV4()).map(([n, a]) => `${n}=${a}`),
                fc.string(),
            ),
            { maxLength: 6 },
        )
        .map(json),
);

test.each(["ha", "prod", "dev", "e2e"])("stack %s with any keys given any values: accepted or one ConfigError, never another error (400 runs)", (stack) => {
    const base = readStackConfig(ROOT, stack).values;
    const keys = [...Object.keys(KEYS), "quorum"];
    fc.assert(
        fc.property(fc.dictionary(fc.constantFrom(...keys), anyValue, { maxKeys: 8 }), (changes) => {
            const raw = { ...base, ...Object.fromEntries(Object.entries(changes).map(([k, v]) => [K(k), v])) };
            try {
                stackTopology(raw, { requireSecrets: false });
            } catch (e) {
                expect(e).toBeInstanceOf(ConfigError);
                // Every line names a key (a service's own check names its host).
                for (const p of (e as ConfigError).problems) {
                    expect(p).toMatch(/^(mesos-cluster:[A-Za-z]+|[a-z]+ on host ")/);
                }
            }
        }),
        { numRuns: 400 },
    );
});

test("a spec that cannot be built refuses the stack before anything is registered, naming the service and host", () => {
    const broken = { ...SERVICES[1], spec: () => { throw new Error("no such thing"); } };
    expect(() => stackTopology({}, {}, [SERVICES[0], broken, ...SERVICES.slice(2)])).toThrow(ConfigError);
    expect(() => stackTopology({}, {}, [SERVICES[0], broken, ...SERVICES.slice(2)])).toThrow(/ {2}- zookeeper on host "local": no such thing/);
});
