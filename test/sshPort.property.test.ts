import fc from "fast-check";
import { problemsOf, stackConfig } from "./harness";

// The program reaches every host over SSH on the systemd runtime and with the docker
// runtime's engines over SSH: no service may bind that port on any host.

const K = (key: string) => `mesos-cluster:${key}`;
const PORT_KEYS = ["masterPort", "agentPort", "marathonPort", "chronosPort", "chronosLibprocessPort", "bambooPort", "haproxyHttpPort", "registryPort"];
const SSHD = "clashes with sshd's port";


// Neither a fixed ZooKeeper port nor a range's: those clash for reasons of their own.
const port = fc.integer({ min: 1, max: 65535 }).filter((p) => ![2181, 2888, 3888].includes(p) && !(p >= 10000 && p <= 20000) && !(p >= 31000 && p <= 32000));

describe.each([
    ["prod", "systemd"],
    ["e2e", "systemd"],
    ["ha", "docker, engines over SSH"],
])("stack %s (%s)", (stack) => {
    test("any service port on the SSH port is refused, naming the service's key (200 runs)", () => {
        fc.assert(
            fc.property(fc.constantFrom(...PORT_KEYS), port, (key, p) => {
                const found = problemsOf({ ...stackConfig(stack), [K("sshPort")]: String(p), [K(key)]: String(p) });
                expect(found).toContainEqual(expect.stringMatching(new RegExp(`^mesos-cluster:${key}: [a-z]+'s port ${p} ${SSHD} ${p} \\(mesos-cluster:sshPort, where the program reaches the host over SSH\\) on host`)));
            }),
            { numRuns: 200 },
        );
    });

    test("Marathon's service ports over the SSH port are refused on the Bamboo hosts, naming servicePorts (100 runs)", () => {
        fc.assert(
            fc.property(fc.integer({ min: 1024, max: 9000 }), fc.integer({ min: 1, max: 500 }), (low, width) => {
                const p = low + Math.floor(width / 2);
                fc.pre(![2181, 2888, 3888, 4400, 4401, 5000, 5050, 5051, 8000, 8080].some((x) => x >= low && x <= low + width));
                const found = problemsOf({ ...stackConfig(stack), [K("sshPort")]: String(p), [K("servicePorts")]: `${low}-${low + width}` });
                expect(found).toContainEqual(expect.stringMatching(new RegExp(`^mesos-cluster:servicePorts: bamboo's ports ${low}-${low + width} ${SSHD} ${p} `)));
            }),
            { numRuns: 100 },
        );
    });

    test.each([2181, 2888, 3888])("the SSH port on ZooKeeper's fixed port %i names sshPort", (p) => {
        expect(problemsOf({ ...stackConfig(stack), [K("sshPort")]: String(p) })).toContainEqual(
            expect.stringMatching(new RegExp(`^mesos-cluster:sshPort, where the program reaches the host over SSH: sshd's port ${p} clashes with zookeeper's port ${p}`)),
        );
    });
});

test("without SSH (the docker runtime on this machine's engine) a service may have the port (100 runs)", () => {
    fc.assert(
        fc.property(fc.constantFrom(...PORT_KEYS), port, (key, p) => {
            const found = problemsOf({ ...stackConfig("dev"), [K("sshPort")]: String(p), [K(key)]: String(p) });
            expect(found.filter((x) => x.includes(SSHD))).toEqual([]);
        }),
        { numRuns: 100 },
    );
});
