import { COMMAND_TYPE, CONTAINER_TYPE, ServiceView, inspectService, parseBundle } from "../components/runtimes/inspect";
import { Evaluation, Registered, plain } from "./harness";

export { execWords, unitValue } from "../components/runtimes/inspect";

/** Files in a CREATE_SCRIPT stdin. */
export const bundleFiles = parseBundle;

/** A service as a runtime emitted it, read back from the registered resources alone. */
export interface Emitted extends ServiceView {
    /** `zookeeper`, `master`, `agent`, `marathon` or `chronos`: from the resource's name. */
    readonly label: string;
    readonly host: string;
    /** The resource that carries it. */
    readonly resource: Registered;
}

/** Every service the evaluation emitted, whichever runtime it used. */
export function emitted(e: Evaluation): Emitted[] {
    return e.resources
        .filter((r) => r.type === CONTAINER_TYPE || r.type === COMMAND_TYPE)
        .map((r) => {
            const [, label, host] = /^mesos-([a-z]+)-(.+)-(container|unit)$/.exec(r.name) as RegExpExecArray;
            const view = inspectService(r.type, plain(r.inputs));
            if (view === undefined) {
                throw new Error(`${r.name}: runs no service`);
            }
            // A container runs an image built on its host by ID, the name being the image
            // resource's; or the published image by its reference.
            const built = r.type === CONTAINER_TYPE ? e.resources.find((x) => x.name === r.name.replace(/-container$/, "-image")) : undefined;
            const image = built === undefined ? view.image : built.inputs.imageName;
            return { ...view, image, label, host, resource: r };
        });
}
