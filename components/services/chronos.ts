import * as pulumi from "@pulumi/pulumi";
import { ServiceSpec } from "../spec";
import { Host, Topology } from "../topology";
import { VERSIONS } from "../versions";
import { ServiceArgs, ServiceComponent, containerName, libprocessEnv, portsOf } from "./common";

export function chronosSpec(t: Topology, host: Host): ServiceSpec {
    return {
        service: "chronos",
        host,
        containerName: containerName(t, "chronos", host),
        image: { context: "chronos", repository: "mesos-cluster/chronos", tag: VERSIONS.chronos },
        args: [
            `--cluster_name=${t.clusterName}`,
            `--hostname=${host.address}`,
            `--http_address=${host.address}`,
            `--http_port=${t.ports.chronos}`,
            `--master=${t.mesosZkUrl}`,
            // host:port list without scheme or path: Chronos rejects the zk:// form.
            `--zk_hosts=${t.zkHosts}`,
            "--zk_path=/chronos/state",
        ],
        // The image reads its HTTP port from PORT0 and its libprocess port from PORT1.
        env: {
            ...libprocessEnv(host),
            LIBPROCESS_PORT: String(t.ports.chronosLibprocess),
            PORT0: String(t.ports.chronos),
            PORT1: String(t.ports.chronosLibprocess),
        },
        // Chronos keeps its jobs in ZooKeeper.
        volumes: [],
        ports: portsOf(t, "chronos", host),
        privileged: false,
        pidHost: false,
    };
}

/** A Chronos scheduler; instances on every master elect a leader through ZooKeeper. */
export class Chronos extends ServiceComponent {
    constructor(name: string, args: ServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mesos:chronos:Chronos", name, chronosSpec(args.topology, args.host), args, opts);
    }
}
