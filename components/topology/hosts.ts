/** The hosts of the config's lists: names resolved, duplicates and shared addresses refused. */
import { ClusterConfig, fullKey as key, hostEntryProblems, isLoopback } from "../config";
import { Host, Role } from "./types";

/** An entry of a host list; `broken`: its own rule refused it (its key says so), but its name is good. */
type Entry = { name: string; address?: string; index: number; broken: boolean };

/** A list's entries, each name once (a repeated name is a problem); entries without a good name are left out. */
function parseHosts(entries: readonly string[], listKey: string, requireAddress: boolean, problems: string[]): Entry[] {
    return entries
        .flatMap((entry, index) => {
            const [name, address] = entry.split("=");
            const broken = hostEntryProblems(entry, requireAddress).length > 0;
            return broken && hostEntryProblems(name, false).length > 0 ? [] : [{ name, address, index, broken }];
        })
        .filter((h, i, all) => {
            const first = all.findIndex((o) => o.name === h.name);
            if (first !== i) {
                problems.push(`${key(listKey)}[${h.index}]: host "${h.name}" is listed twice (also at [${all[first].index}]); give each host one entry`);
                return false;
            }
            return true;
        });
}

/** Hosts known by name: a host, or null for one whose entry was refused (no address to compare). */
type Known = ReadonlyMap<string, Host | null>;

/**
 * Hosts of a list whose entries may name a host listed before (`known`) instead of giving an
 * address again. `what`: how a known host is described; `role`: what this list runs;
 * `trusted`: whether the lists before are valid, so that a name missing from them is a problem.
 */
function resolveHosts(
    entries: readonly Entry[],
    listKey: string,
    known: Known,
    what: string,
    role: string,
    problems: string[],
    { indexed = true, trusted = true } = {},
): Host[] {
    const hosts: Host[] = [];
    for (const e of entries.filter((x) => !x.broken)) {
        const where = `${key(listKey)}${indexed ? `[${e.index}]` : ""}`;
        const other = known.get(e.name);
        if (other === null) {
            // Listed before with an entry its own rule refused: nothing to check it against.
            continue;
        }
        if (e.address === undefined) {
            if (other === undefined) {
                if (trusted) {
                    problems.push(`${where}: "${e.name}" has no address and is not ${what}; write it as "${e.name}=ADDRESS" or name ${what}`);
                }
                continue;
            }
            hosts.push(other);
        } else if (other !== undefined && other.address !== e.address) {
            problems.push(`${where}: "${e.name}" is ${what} at ${other.address} but listed here at ${e.address}; write just "${e.name}" to run ${role} on that host`);
        } else {
            hosts.push(other ?? { name: e.name, address: e.address });
        }
    }
    return hosts;
}

const byName = (a: Host, b: Host) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * Every host of the config, and the hosts of each list, each sorted by name; problems are
 * appended. `invalid`: keys whose values were refused (a host list that is not a list).
 */
export function resolveRoles(c: ClusterConfig, problems: string[], invalid: ReadonlySet<string> = new Set()): { hosts: Host[]; roles: Record<Role, Host[]> } {
    const known = new Map<string, Host | null>();
    // Where each host was first listed, for messages about it.
    const listedIn = new Map<string, string>();
    const add = (entries: readonly Entry[], hs: readonly Host[], listKey: string) => {
        for (const e of entries.filter((x) => x.broken && !known.has(x.name))) {
            known.set(e.name, null);
        }
        for (const h of hs) {
            known.set(h.name, h);
            listedIn.set(h.name, listedIn.get(h.name) ?? listKey);
        }
    };
    const lists = (...keys: string[]) => ({ trusted: keys.every((k) => !invalid.has(key(k))) });
    const masterEntries = parseHosts(c.masters, "masters", true, problems);
    const masters = masterEntries.filter((m) => !m.broken).map((m) => ({ name: m.name, address: m.address as string }));
    add(masterEntries, masters, "masters");
    const agentEntries = parseHosts(c.agents, "agents", false, problems);
    const agents = resolveHosts(agentEntries, "agents", new Map(known), "a master", "an agent", problems, lists("masters"));
    add(agentEntries, agents, "agents");
    const bambooEntries = parseHosts(c.bambooHosts, "bambooHosts", false, problems);
    const bamboo = resolveHosts(bambooEntries, "bambooHosts", new Map(known), "a master or agent", "Bamboo", problems, lists("masters", "agents"));
    add(bambooEntries, bamboo, "bambooHosts");
    const registryEntries = c.registryHost === "" ? [] : parseHosts([c.registryHost], "registryHost", false, problems);
    const registry = resolveHosts(registryEntries, "registryHost", new Map(known), "a host of the cluster", "the registry", problems, {
        indexed: false,
        ...lists("masters", "agents", "bambooHosts"),
    });
    add(registryEntries, registry, "registryHost");

    // In listing order, so that the message names the list of the later entry.
    const byAddress = new Map<string, string>();
    for (const h of known.values()) {
        if (h === null) {
            continue;
        }
        const other = byAddress.get(h.address);
        if (other !== undefined) {
            problems.push(
                `${key(listedIn.get(h.name) as string)}: hosts "${other}" and "${h.name}" share address ${h.address}; each host needs its own address (give a host's name alone to run more services on it)`,
            );
        }
        byAddress.set(h.address, h.name);
    }
    const hosts = [...known.values()].filter((h): h is Host => h !== null).sort(byName);
    // A loopback address reaches the machine it is used on: the hosts on other machines would
    // reach themselves instead.
    const loopback = hosts.find((h) => isLoopback(h.address));
    const routable = hosts.find((h) => !isLoopback(h.address));
    if (loopback !== undefined && routable !== undefined) {
        problems.push(
            `${key(listedIn.get(loopback.name) as string)}: host "${loopback.name}" is on loopback address ${loopback.address} but "${routable.name}" is not (${routable.address}), and a loopback address reaches only the machine it is used on; give "${loopback.name}" its routable address, or every host a loopback one (one machine)`,
        );
    }
    if (c.runtime === "docker" && c.engine === "local" && known.size > 1) {
        problems.push(
            `${key("engine")}: "local" runs every container on this machine's one Docker engine, but ${known.size} hosts are listed; set engine to "ssh" for a multi-host stack (${key("runtime")} "docker")`,
        );
    }
    const sorted = (hs: readonly Host[]) => [...hs].sort(byName);
    return { hosts, roles: { masters: sorted(masters), agents: sorted(agents), bambooHosts: sorted(bamboo), registryHost: registry } };
}
