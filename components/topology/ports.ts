/** Which ports each host binds, and the clashes between them. */
import { PortBinding, Placement } from "./types";

function rangeText(b: PortBinding): string {
    return b.first === b.last ? `port ${b.first}` : `ports ${b.first}-${b.last}`;
}

/** How firmly a binding holds its port: a clash names the key of the one that holds it less. */
const firmness = (b: PortBinding) => (b.fixed === "program" ? 2 : b.fixed === "host" ? 1 : 0);

/**
 * One message per pair of clashing bindings, naming every host where they clash and the key
 * that can move. `everyHost`: ports bound on every host besides its services' (sshd's).
 */
export function portClashes(placements: readonly Placement[], everyHost: readonly PortBinding[] = []): string[] {
    const clashes = new Map<string, { text: string; hosts: string[] }>();
    for (const { host, ports: own } of placements) {
        const ports = [...everyHost, ...own];
        ports.forEach((a, i) => {
            for (const b of ports.slice(i + 1)) {
                if (a.first <= b.last && b.first <= a.last) {
                    // Name the key that can move: fixed ports cannot.
                    const [moved, kept] = firmness(b) > firmness(a) ? [a, b] : [b, a];
                    const text = `${moved.key}: ${moved.service}'s ${rangeText(moved)} clashes with ${kept.service}'s ${rangeText(kept)} (${kept.key})`;
                    const entry = clashes.get(text) ?? { text, hosts: [] };
                    entry.hosts.push(`"${host.name}"`);
                    clashes.set(text, entry);
                }
            }
        });
    }
    return [...clashes.values()].map((c) => `${c.text} on host${c.hosts.length > 1 ? "s" : ""} ${c.hosts.join(", ")}; move one of them to a free port`);
}
