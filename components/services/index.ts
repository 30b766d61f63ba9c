/**
 * Every service the program can place, in the order each host lists them. Adding a service is
 * a module beside these that exports its descriptor, one line here, and its image folder.
 */
import { ServiceDescriptor } from "../service";
import { ServiceSpec } from "../spec";
import { Topology } from "../topology/types";
import { agent } from "./agent";
import { bamboo } from "./bamboo";
import { chronos } from "./chronos";
import { marathon } from "./marathon";
import { master } from "./master";
import { registry } from "./registry";
import { zookeeper } from "./zookeeper";

export const SERVICES: readonly ServiceDescriptor[] = [registry, zookeeper, master, marathon, chronos, agent, bamboo];

/** A service's descriptor by its name. */
export function service(name: string): ServiceDescriptor {
    const found = SERVICES.find((s) => s.name === name);
    if (found === undefined) {
        throw new Error(`no service "${name}"; the services are ${SERVICES.map((s) => s.name).join(", ")}`);
    }
    return found;
}

/** Every service's spec, host by host, in placement order. */
export function clusterSpecs(t: Topology): ServiceSpec[] {
    return t.placements.flatMap((p) => p.services.map((name) => service(name).spec(t, p.host)));
}
