/** Which ports each host binds, and the clashes between them. */
import { PortBinding, Placement } from "./types";

function rangeText(b: PortBinding): string {
    return b.first === b.last ? `port ${b.first}` : `ports ${b.first}-${b.last}`;
}

/** One message per pair of clashing bindings, naming every host where they clash and the key that can move. */
export function portClashes(placements: readonly Placement[]): string[] {
    const clashes = new Map<string, { text: string; hosts: string[] }>();
    for (const { host, ports } of placements) {
        ports.forEach((a, i) => {
            for (const b of ports.slice(i + 1)) {
                if (a.first <= b.last && b.first <= a.last) {
                    // Name the key that can move: fixed ports cannot.
                    const [moved, kept] = b.key.endsWith("(fixed)") ? [a, b] : [b, a];
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
