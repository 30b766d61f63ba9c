import fc from "fast-check";
import { ConfigError, parseConfig } from "../components/config";
import { SERVICES } from "../components/services";
import { buildTopology } from "../components/composition";
import { quorumOf } from "../components/topology";

// Properties of the pure topology over any host lists: any odd master count, any order, any addresses.

const NAME = fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/);
// Usable and routable: 1-223 but loopback (127), whose hosts are all on one machine or none is.
const ADDRESS = fc
    .tuple(fc.integer({ min: 1, max: 222 }).map((o) => (o >= 127 ? o + 1 : o)), fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 254 }))
    .map((o) => o.join("."));

/** Distinct hosts: unique names and unique addresses. */
const hosts = (min: number, max: number) =>
    fc.uniqueArray(fc.tuple(NAME, ADDRESS), { minLength: min, maxLength: max, selector: ([n]) => n }).filter((hs) => new Set(hs.map(([, a]) => a)).size === hs.length);

function topologyOf(masters: [string, string][], agents: string[]) {
    return buildTopology(
        parseConfig({
            "mesos-cluster:engine": "ssh",
            "mesos-cluster:masters": JSON.stringify(masters.map(([n, a]) => `${n}=${a}`)),
            "mesos-cluster:agents": JSON.stringify(agents),
        }),
    );
}

const odd = hosts(1, 9).filter((hs) => hs.length % 2 === 1);

test("any odd number of masters: a strict-majority quorum, ids 1..n by sorted name, every member in every URL", () => {
    fc.assert(
        fc.property(odd, (masters) => {
            const t = topologyOf(masters, [masters[0][0]]);
            const n = masters.length;
            expect(t.quorum).toBe(quorumOf(n));
            expect(t.quorum * 2).toBeGreaterThan(n);
            expect((t.quorum - 1) * 2).toBeLessThanOrEqual(n);
            const sorted = [...masters].sort(([a], [b]) => (a < b ? -1 : 1));
            expect(t.ensemble.map((m) => [m.id, m.host.name])).toEqual(sorted.map(([name], i) => [i + 1, name]));
            expect(t.zkHosts.split(",")).toEqual(sorted.map(([, a]) => `${a}:2181`));
            expect(t.mesosZkUrl).toBe(`zk://${t.zkHosts}/mesos`);
        }),
        { numRuns: 200 },
    );
});

test("the layout does not depend on the order the hosts are listed in", () => {
    fc.assert(
        fc.property(
            odd.chain((masters) => fc.tuple(fc.constant(masters), fc.shuffledSubarray(masters, { minLength: masters.length }))),
            ([masters, shuffled]) => {
                const agents = masters.map(([n]) => n);
                // Everything derived is the same; only the config's own lists keep their order.
                const derived = (t: ReturnType<typeof topologyOf>) => ({ ...t, config: undefined });
                expect(derived(topologyOf(shuffled, [...agents].reverse()))).toEqual(derived(topologyOf(masters, agents)));
            },
        ),
        { numRuns: 100 },
    );
});

test("every host runs exactly the services its lists give it, and no port is bound twice on a host", () => {
    fc.assert(
        fc.property(odd, hosts(1, 6), fc.nat(), (masters, extra, k) => {
            // Agents: some masters by name, plus hosts of their own whose names and addresses are free.
            const taken = new Set(masters.flatMap(([n, a]) => [n, a]));
            const own = extra.filter(([n, a]) => !taken.has(n) && !taken.has(a));
            const onMasters = masters.filter((_, i) => (k >> i) & 1).map(([n]) => n);
            const agents = [...onMasters, ...own.map(([n, a]) => `${n}=${a}`)];
            fc.pre(agents.length > 0);
            const t = topologyOf(masters, agents);
            for (const p of t.placements) {
                const expected = SERVICES.filter((s) => t.roles[s.runsOn].some((h) => h.name === p.host.name)).map((s) => s.name);
                expect(p.services).toEqual(expected);
                const ports = p.ports.flatMap((b) => Array.from({ length: b.last - b.first + 1 }, (_, i) => b.first + i));
                expect(new Set(ports).size).toBe(ports.length);
            }
            expect(t.hosts).toHaveLength(masters.length + own.length);
        }),
        { numRuns: 150 },
    );
});

test("any even number of masters is refused, naming the key", () => {
    fc.assert(
        fc.property(
            hosts(2, 10).filter((hs) => hs.length % 2 === 0),
            (masters) => {
                expect(() => topologyOf(masters, [masters[0][0]])).toThrow(ConfigError);
                expect(() => topologyOf(masters, [masters[0][0]])).toThrow(new RegExp(`mesos-cluster:masters: ${masters.length} masters given; the count must be odd`));
            },
        ),
        { numRuns: 100 },
    );
});
