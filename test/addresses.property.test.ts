import fc from "fast-check";
import { evaluateFailure, problemsOf, secretKeys, stackConfig } from "./harness";

// A host's address must be one it can be reached at: never "this network" (0.0.0.0/8, the
// unspecified address among them), the broadcast address, multicast or reserved addresses.
// Loopback is allowed (dev and e2e run on one machine), but only for every host at once.

const K = (key: string) => `mesos-cluster:${key}`;
const octet = fc.nat(255);
const UNUSABLE: [string, fc.Arbitrary<string>, RegExp][] = [
    ["this network (0.0.0.0/8)", fc.tuple(octet, octet, octet).map((o) => `0.${o.join(".")}`), /in 0\.0\.0\.0\/8, "this network"/],
    ["broadcast", fc.constant("255.255.255.255"), /the limited broadcast address/],
    ["multicast (224.0.0.0/4)", fc.tuple(fc.integer({ min: 224, max: 239 }), octet, octet, octet).map((o) => o.join(".")), /a multicast address/],
    [
        "reserved (240.0.0.0/4)",
        fc
            .tuple(fc.integer({ min: 240, max: 255 }), octet, octet, octet)
            .map((o) => o.join("."))
            .filter((a) => a !== "255.255.255.255"),
        /a reserved address/,
    ],
];

/** Where a host's address is written in the ha stack: each list, as its first entry. */
const PLACES: [string, (a: string) => Record<string, string>, string][] = [
    ["masters", (a) => ({ [K("masters")]: JSON.stringify([`m1=${a}`, "m2=10.0.0.12", "m3=10.0.0.13"]) }), "masters[0]"],
    ["agents", (a) => ({ [K("agents")]: JSON.stringify([`a1=${a}`, "a2=10.0.0.22"]) }), "agents[0]"],
    ["bambooHosts", (a) => ({ [K("bambooHosts")]: JSON.stringify([`e1=${a}`]) }), "bambooHosts[0]"],
    ["registryHost", (a) => ({ [K("registryHost")]: `r1=${a}` }), "registryHost"],
];


describe.each(UNUSABLE)("%s", (_, addresses, why) => {
    test("refused in every host list, naming the entry (100 runs)", () => {
        fc.assert(
            fc.property(addresses, fc.constantFrom(...PLACES), (address, [, place, where]) => {
                const found = problemsOf({ ...stackConfig("ha"), ...place(address) });
                expect(found).toContainEqual(expect.stringMatching(new RegExp(`^mesos-cluster:${where.replace(/[[\]]/g, "\\$&")}: "${address.replace(/\./g, "\\.")}" is ${why.source}`)));
            }),
            { numRuns: 100 },
        );
    });

    test("refused by the program with nothing registered", async () => {
        const address = fc.sample(addresses, { numRuns: 1, seed: 13 })[0];
        const { error, registered } = await evaluateFailure({ ...stackConfig("ha"), ...PLACES[0][1](address) }, secretKeys());
        expect(error.name).toBe("ConfigError");
        expect(error.message).toContain(`mesos-cluster:masters[0]: "${address}" is `);
        expect(registered).toBe(0);
    });
});

test.each(["0.0.0.0", "255.255.255.255", "224.0.0.1", "240.0.0.1"])("%s as a master is refused", (address) => {
    expect(problemsOf({ ...stackConfig("ha"), ...PLACES[0][1](address) }).join("\n")).toMatch(`mesos-cluster:masters[0]: "${address}" is `);
});

const loopback = fc.tuple(octet, octet, fc.integer({ min: 1, max: 254 })).map((o) => `127.${o.join(".")}`);

test("every host on loopback addresses (one machine) is accepted (100 runs)", () => {
    fc.assert(
        fc.property(fc.uniqueArray(loopback, { minLength: 3, maxLength: 3 }), (addrs) => {
            const raw = { ...stackConfig("e2e"), [K("masters")]: JSON.stringify(addrs.map((a, i) => `h${i}=${a}`)), [K("agents")]: '["h0"]', [K("registryHost")]: "h1", [K("bambooHosts")]: '["h2"]' };
            expect(problemsOf(raw)).toEqual([]);
        }),
        { numRuns: 100 },
    );
});

test("a loopback host beside routable ones is refused, naming the list it is in (100 runs)", () => {
    fc.assert(
        fc.property(loopback, fc.constantFrom(...PLACES), (address, [list, place]) => {
            const found = problemsOf({ ...stackConfig("ha"), ...place(address) });
            expect(found).toContainEqual(expect.stringMatching(new RegExp(`^mesos-cluster:${list}: host "[a-z0-9]+" is on loopback address ${address.replace(/\./g, "\\.")} but`)));
        }),
        { numRuns: 100 },
    );
});
