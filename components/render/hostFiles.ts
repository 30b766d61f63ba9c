import { hostFiles, pullFrom } from "../runtimes/systemdUnit";
import { clusterSpecs } from "../services";
import { renderZooCfg } from "../services/zookeeper";
import { HostFile, imageRef, showTemplate } from "../spec";
import { Topology } from "../topology/types";

/** Files for review, per host: what the systemd runtime writes (secrets as placeholders), and what containers render. */
export interface RenderedHost {
    readonly host: string;
    /** Written on the host by the systemd runtime (absolute paths). */
    readonly files: readonly HostFile[];
    /** Rendered inside a container at start, shown for review (`<container>/<file>`). */
    readonly containerFiles: readonly HostFile[];
}

/** Every file of every host of the topology, from the same specs and renderers the runtimes use. */
export function renderHosts(t: Topology): RenderedHost[] {
    const registry = t.imageRegistry;
    const login = t.registry?.auth ?? false;
    const specs = clusterSpecs(t);
    return t.hosts.map((h) => {
        const mine = specs.filter((s) => s.host.name === h.name);
        return {
            host: h.name,
            files: mine.flatMap((s) =>
                hostFiles(s, imageRef(s.image, registry), pullFrom(s, registry, login)).map(({ template, ...f }) => ({ ...f, content: showTemplate(template) })),
            ),
            containerFiles: mine
                .filter((s) => s.service === "zookeeper")
                .flatMap((s) => {
                    const cfg = renderZooCfg(s);
                    return [
                        { path: `${s.containerName}/var/lib/zookeeper/conf/zoo.cfg`, mode: "0644", content: cfg.static },
                        // What a new ensemble starts from; once formed, ZooKeeper keeps the membership.
                        { path: `${s.containerName}/var/lib/zookeeper/conf/zoo.cfg.dynamic.seed`, mode: "0644", content: cfg.seed },
                    ];
                }),
        };
    });
}
