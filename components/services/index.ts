import { ServiceSpec } from "../spec";
import { Host, ServiceKind, Topology } from "../topology";
import { bambooSpec } from "./bamboo";
import { chronosSpec } from "./chronos";
import { marathonSpec } from "./marathon";
import { mesosAgentSpec } from "./mesosAgent";
import { mesosMasterSpec } from "./mesosMaster";
import { registrySpec } from "./registry";
import { zookeeperSpec } from "./zookeeper";

/** Each service's spec builder: pure functions of the topology. */
export const SPEC_BUILDERS: Record<ServiceKind, (t: Topology, host: Host) => ServiceSpec> = {
    registry: registrySpec,
    zookeeper: zookeeperSpec,
    "mesos-master": mesosMasterSpec,
    "mesos-agent": mesosAgentSpec,
    marathon: marathonSpec,
    chronos: chronosSpec,
    bamboo: bambooSpec,
};

/** Every service's spec, host by host, in placement order. */
export function clusterSpecs(t: Topology): ServiceSpec[] {
    return t.placements.flatMap((p) => p.services.map((service) => SPEC_BUILDERS[service](t, p.host)));
}
