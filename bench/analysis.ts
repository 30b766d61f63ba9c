/** Pure analyses of a program's registrations, for the benchmark and its tests. */

export interface Node {
    readonly urn: string;
    readonly provider: string;
    readonly dependencies: readonly string[];
    readonly inputs: unknown;
}

/**
 * The longest chain of resources that must be created one after another: explicit dependsOn
 * and output-to-input edges (both in `dependencies`) and each resource's provider.
 */
export function criticalPath(nodes: readonly Node[]): number {
    return longestChain(nodes, () => 1);
}

/**
 * The heaviest path through the graph, each resource weighing `weight(urn)` and waiting for
 * its dependencies and its provider.
 */
function longestChain(nodes: readonly Node[], weight: (urn: string) => number): number {
    const byUrn = new Map(nodes.map((n) => [n.urn, n]));
    const memo = new Map<string, number>();
    const depth = (urn: string): number => {
        const known = memo.get(urn);
        if (known !== undefined) {
            return known;
        }
        const n = byUrn.get(urn) as Node;
        // A provider reference is `URN::ID`.
        const provider = n.provider === "" ? [] : [n.provider.slice(0, n.provider.lastIndexOf("::"))];
        const edges = [...n.dependencies, ...provider].filter((u) => byUrn.has(u));
        const d = weight(urn) + Math.max(0, ...edges.map(depth));
        memo.set(urn, d);
        return d;
    };
    return Math.max(0, ...nodes.map((n) => depth(n.urn)));
}

/** Which resources differ between two evaluations: inputs changed, added, removed (by URN). */
export function diff(before: readonly Node[], after: readonly Node[]): { changed: string[]; added: string[]; removed: string[] } {
    const old = new Map(before.map((n) => [n.urn, JSON.stringify(n.inputs)]));
    const now = new Map(after.map((n) => [n.urn, JSON.stringify(n.inputs)]));
    return {
        changed: [...now.keys()].filter((u) => old.has(u) && old.get(u) !== now.get(u)).sort(),
        added: [...now.keys()].filter((u) => !old.has(u)).sort(),
        removed: [...old.keys()].filter((u) => !now.has(u)).sort(),
    };
}

/** A URN's resource name. */
export const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

/**
 * The longest chain of changed resources that must change one after another: a resource's
 * step waits for every resource it depends on, and an unchanged one is done at once, so only
 * changed resources count.
 */
export function serialChain(nodes: readonly Node[], changed: ReadonlySet<string>): number {
    return longestChain(nodes, (urn) => (changed.has(urn) ? 1 : 0));
}
