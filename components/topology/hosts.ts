/** The hosts of the config's lists: names resolved, duplicates and shared addresses refused. */
import { ClusterConfig, fullKey as key } from "../config";
import { Host, Role } from "./types";

type Entry = { name: string; address?: string };

/** A list's entries, each name once (a repeated name is a problem). */
function parseHosts(entries: readonly string[], listKey: string, problems: string[]): Entry[] {
    return entries
        .map((entry) => {
            const [name, address] = entry.split("=");
            return { name, address };
        })
        .filter((h, i, all) => {
            const first = all.findIndex((o) => o.name === h.name);
            if (first !== i) {
                problems.push(`${key(listKey)}[${i}]: host "${h.name}" is listed twice (also at [${first}]); give each host one entry`);
                return false;
            }
            return true;
        });
}

/**
 * Hosts of a list whose entries may name a host listed before (`known`) instead of giving an
 * address again. `what`: how a known host is described; `role`: what this list runs.
 */
function resolveHosts(
    entries: readonly Entry[],
    listKey: string,
    known: ReadonlyMap<string, Host>,
    what: string,
    role: string,
    problems: string[],
    indexed = true,
): Host[] {
    const hosts: Host[] = [];
    entries.forEach((e, i) => {
        const where = `${key(listKey)}${indexed ? `[${i}]` : ""}`;
        const other = known.get(e.name);
        if (e.address === undefined) {
            if (other === undefined) {
                problems.push(`${where}: "${e.name}" has no address and is not ${what}; write it as "${e.name}=ADDRESS" or name ${what}`);
                return;
            }
            hosts.push(other);
        } else if (other !== undefined && other.address !== e.address) {
            problems.push(`${where}: "${e.name}" is ${what} at ${other.address} but listed here at ${e.address}; write just "${e.name}" to run ${role} on that host`);
        } else {
            hosts.push(other ?? { name: e.name, address: e.address });
        }
    });
    return hosts;
}

const byName = (a: Host, b: Host) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Every host of the config, and the hosts of each list, each sorted by name; problems are appended. */
export function resolveRoles(c: ClusterConfig, problems: string[]): { hosts: Host[]; roles: Record<Role, Host[]> } {
    const masters = parseHosts(c.masters, "masters", problems).map((m) => ({ name: m.name, address: m.address as string }));
    const known = new Map<string, Host>();
    // Where each host was first listed, for messages about it.
    const listedIn = new Map<string, string>();
    const add = (hs: readonly Host[], listKey: string) => {
        for (const h of hs) {
            known.set(h.name, h);
            listedIn.set(h.name, listedIn.get(h.name) ?? listKey);
        }
    };
    add(masters, "masters");
    const agents = resolveHosts(parseHosts(c.agents, "agents", problems), "agents", new Map(known), "a master", "an agent", problems);
    add(agents, "agents");
    const bamboo = resolveHosts(parseHosts(c.bambooHosts, "bambooHosts", problems), "bambooHosts", new Map(known), "a master or agent", "Bamboo", problems);
    add(bamboo, "bambooHosts");
    const registry =
        c.registryHost === ""
            ? []
            : resolveHosts(parseHosts([c.registryHost], "registryHost", problems), "registryHost", new Map(known), "a host of the cluster", "the registry", problems, false);
    add(registry, "registryHost");

    // In listing order, so that the message names the list of the later entry.
    const byAddress = new Map<string, string>();
    for (const h of known.values()) {
        const other = byAddress.get(h.address);
        if (other !== undefined) {
            problems.push(
                `${key(listedIn.get(h.name) as string)}: hosts "${other}" and "${h.name}" share address ${h.address}; each host needs its own address (give a host's name alone to run more services on it)`,
            );
        }
        byAddress.set(h.address, h.name);
    }
    const hosts = [...known.values()].sort(byName);
    if (c.runtime === "docker" && c.engine === "local" && hosts.length > 1) {
        problems.push(`${key("engine")}: "local" runs every container on this machine's one Docker engine, but ${hosts.length} hosts are listed; set engine to "ssh" for a multi-host stack`);
    }
    const sorted = (hs: readonly Host[]) => [...hs].sort(byName);
    return { hosts, roles: { masters: sorted(masters), agents: sorted(agents), bambooHosts: sorted(bamboo), registryHost: registry } };
}
