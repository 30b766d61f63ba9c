/**
 * The order in which `pulumi up` runs a program's steps, derived from what the program
 * registered, so that the end-to-end test runs the program's own commands in that order
 * rather than in one written by hand (pulumi/pulumi, from the engine's sources):
 * - the SDK sends a resource's registration only once every resource it depends on (its
 *   `dependsOn` and the resources its inputs come from) has finished its step, and the engine
 *   starts the step then; resources that do not depend on each other go at once;
 * - a resource whose inputs did not change has a "same" step, done at once, but it still waits
 *   for what it depends on;
 * - after a failed step nothing new starts, the steps under way finish (`pulumi up` without
 *   --continue-on-error);
 * - resources the program no longer registers are deleted after every other step has ended,
 *   dependents before what they depend on.
 */
import { Registered } from "../harness";

/** What running one step came to. */
export interface StepResult {
    readonly ok: boolean;
    readonly detail?: string;
}

/** A step as it ran: its resource's name, what it did, when (ms since the epoch). */
export interface StepRun {
    readonly name: string;
    readonly kind: "create" | "update" | "same" | "delete";
    readonly start: number;
    readonly end: number;
    readonly result: StepResult;
}

export interface Plan {
    /** The registrations of the previous run (empty for a first `up`). */
    readonly before: readonly Registered[];
    /** The registrations of this run. */
    readonly after: readonly Registered[];
    /** Runs a create or update of `r`; `undefined` for resources with nothing to do here (providers, generated values). */
    readonly run: (r: Registered, kind: "create" | "update") => Promise<StepResult> | undefined;
    /** Runs the delete of a resource the program no longer registers. */
    readonly remove: (r: Registered) => Promise<StepResult> | undefined;
    /** Counts a failed step as done, so that its dependents go on (for what cannot be had here). */
    readonly tolerate?: (r: Registered, result: StepResult) => boolean;
}

/** Whether a resource's inputs changed between two runs, as the engine's diff would see it. */
export const changed = (a: Registered, b: Registered) => JSON.stringify(a.inputs) !== JSON.stringify(b.inputs);

/** Runs a plan in the engine's order; resolves once every step has ended, with each step as it ran. */
export async function deploy(plan: Plan): Promise<StepRun[]> {
    const previous = new Map(plan.before.map((r) => [r.urn, r]));
    const runs: StepRun[] = [];
    let failed = false;
    const done = new Map<string, Promise<boolean>>();
    const byUrn = new Map(plan.after.map((r) => [r.urn, r]));

    const step = (r: Registered): Promise<boolean> => {
        let p = done.get(r.urn);
        if (p === undefined) {
            p = (async () => {
                const deps = await Promise.all(r.dependencies.filter((u) => byUrn.has(u)).map((u) => step(byUrn.get(u) as Registered)));
                if (deps.some((ok) => !ok) || failed) {
                    return false;
                }
                const old = previous.get(r.urn);
                const kind = old === undefined ? "create" : changed(old, r) ? "update" : "same";
                const start = Date.now();
                const running = kind === "same" ? undefined : plan.run(r, kind);
                const result = running === undefined ? { ok: true } : await running;
                if (running !== undefined) {
                    runs.push({ name: r.name, kind, start, end: Date.now(), result });
                }
                if (!result.ok && !(plan.tolerate?.(r, result) ?? false)) {
                    failed = true;
                    return false;
                }
                return true;
            })();
            done.set(r.urn, p);
        }
        return p;
    };
    await Promise.all(plan.after.map(step));
    if (failed) {
        return runs;
    }

    // Deletes: a resource goes once everything that depended on it has gone.
    const gone = plan.before.filter((r) => !byUrn.has(r.urn));
    const deleted = new Map<string, Promise<void>>();
    const drop = (r: Registered): Promise<void> => {
        let p = deleted.get(r.urn);
        if (p === undefined) {
            p = (async () => {
                await Promise.all(gone.filter((o) => o.dependencies.includes(r.urn)).map(drop));
                const start = Date.now();
                const running = plan.remove(r);
                if (running !== undefined) {
                    const result = await running;
                    runs.push({ name: r.name, kind: "delete", start, end: Date.now(), result });
                }
            })();
            deleted.set(r.urn, p);
        }
        return p;
    };
    await Promise.all(gone.map(drop));
    return runs;
}
