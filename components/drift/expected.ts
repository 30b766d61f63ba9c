/** What the program would put on each host: the runtimes' files and containers, from their own renderers. */
import { engineHost } from "../runtimes/docker";
import { hostFiles, pullFrom, unitName } from "../runtimes/systemdUnit";
import { runtimeSettings } from "../settings";
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

/** A service placed on a host of a docker-runtime stack, before its image reference is settled. */
export interface PlannedContainer {
    readonly spec: ServiceSpec;
    readonly host: string;
    /** The engine the deploy drives for this host (`docker -H`); undefined: this machine's own. */
    readonly engine: string | undefined;
    /** `REGISTRY/repository:tag` when published, else the tag the host's engine built. */
    readonly tagged: string;
    /** Published to the cluster's registry and run by digest; else built on the host's engine, run by ID. */
    readonly pushed: boolean;
    readonly expect: (image: string) => ExpectedService;
}

/**
 * Every service of a docker-runtime stack on every host, as DockerRuntime deploys it: its container
 * (name, the image it runs) and the files it uploads into it before the container starts.
 */
export function planDocker(t: Topology): PlannedContainer[] {
    const settings = runtimeSettings(t.config, t, () => {
        throw new Error("the docker runtime reads no secret of the stack's");
    });
    if (settings.kind !== "docker") {
        throw new Error(`stack runs on the ${settings.kind} runtime`);
    }
    return clusterSpecs(t).map((spec) => {
        const pushed = settings.publish !== undefined && spec.image.local !== true;
        const tagged = imageRef(spec.image, pushed ? (settings.publish?.registry ?? "") : "");
        return {
            spec,
            host: spec.host.name,
            engine: engineHost(settings, spec.host),
            tagged,
            pushed,
            expect: (image) => ({
                host: spec.host.name,
                service: spec.service,
                containerName: spec.containerName,
                image,
                tag: pushed ? tagged : undefined,
                // Built on the host's engine: the container was created from the ID its tag named.
                runsImageId: !pushed,
                files: spec.files.map((f) => ({ path: f.container, mode: f.mode, uid: f.uid ?? 0, gid: f.gid ?? 0, template: f.template })),
            }),
        };
    });
}
