/** What the program would put on each host: the systemd runtime's files and containers, from its own renderers. */
import { hostFiles, pullFrom, unitName } from "../runtimes/systemdUnit";
import { clusterSpecs } from "../services";
import { ServiceSpec, imageRef } from "../spec";
import { Topology } from "../topology/types";
import { ExpectedService } from "./compare";

/** A service placed on a host, before its image reference (which may need the host's unit) is settled. */
export interface Planned {
    readonly spec: ServiceSpec;
    readonly host: string;
    readonly address: string;
    readonly unit: string;
    /** The unit file's path: read first, for the digest it names. */
    readonly unitPath: string;
    /** `REGISTRY/repository:tag`, or `repository:tag`. */
    readonly tagged: string;
    /** Pushed to the cluster's registry by the program, so that its unit runs it by digest. */
    readonly pushed: boolean;
    /** The service as expected, once its image reference is known. */
    readonly expect: (image: string) => ExpectedService;
}

/** Every service of the stack on every host, as the systemd runtime deploys it (systemd.ts's `deploy`). */
export function plan(t: Topology): Planned[] {
    const registry = t.imageRegistry;
    const login = t.registry?.auth ?? false;
    return clusterSpecs(t).map((spec) => {
        const pull = pullFrom(spec, registry, login);
        const tagged = imageRef(spec.image, registry);
        const files = (image: string) => hostFiles(spec, image, pull);
        return {
            spec,
            host: spec.host.name,
            address: spec.host.address,
            unit: unitName(spec),
            unitPath: files(tagged)[files(tagged).length - 1].path,
            tagged,
            // As SystemdRuntime: the program pushes only to the cluster's own registry, never a local image.
            pushed: t.registry !== undefined && spec.image.local !== true,
            expect: (image) => ({
                host: spec.host.name,
                service: spec.service,
                unit: unitName(spec),
                containerName: spec.containerName,
                image,
                tag: t.registry !== undefined && spec.image.local !== true ? tagged : undefined,
                files: files(image).map((f) => ({ path: f.path, mode: f.mode, uid: f.uid ?? 0, gid: f.gid ?? 0, template: f.template })),
            }),
        };
    });
}
