import * as pulumi from "@pulumi/pulumi";
import { ServiceSpec } from "../spec";
import { Host, Topology } from "../topology";
import { VERSIONS } from "../versions";
import { PRINCIPALS, secretFile } from "../credentials";
import { ServiceArgs, ServiceComponent, configFile, containerName, httpHealth, libprocessEnv, portsOf } from "./common";

const SECRET = "/etc/marathon/mesos-secret";

export function marathonSpec(t: Topology, host: Host): ServiceSpec {
    return {
        service: "marathon",
        host,
        containerName: containerName(t, "marathon", host),
        image: { context: "marathon", repository: "mesos-cluster/marathon", tag: VERSIONS.marathon },
        // Flags only: MARATHON_* variables as well would set each flag twice.
        args: [
            `--hostname=${host.address}`,
            `--http_address=${host.address}`,
            `--http_port=${t.ports.marathon}`,
            // Apps' service ports come from the range HAProxy binds on the Bamboo hosts.
            `--local_port_max=${t.ports.service.last}`,
            `--local_port_min=${t.ports.service.first}`,
            `--master=${t.mesosZkUrl}`,
            ...(t.authentication
                ? ["--mesos_authentication", `--mesos_authentication_principal=${PRINCIPALS.marathon}`, `--mesos_authentication_secret_file=${SECRET}`]
                : []),
            `--zk=${t.marathonZkUrl}`,
        ],
        env: libprocessEnv(host),
        // Marathon keeps its state in ZooKeeper; it has nothing on disk to keep.
        volumes: [],
        files: t.authentication ? [configFile(t, host, "marathon", SECRET, secretFile("marathon"))] : [],
        health: httpHealth(t, [`http://${host.address}:${t.ports.marathon}/ping`, `http://${host.address}:${t.ports.marathon}/v2/leader`]),
        ports: portsOf(t, "marathon", host),
        privileged: false,
        pidHost: false,
    };
}

/** A Marathon instance; instances on every master elect a leader through ZooKeeper. */
export class Marathon extends ServiceComponent {
    constructor(name: string, args: ServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mesos:marathon:Marathon", name, marathonSpec(args.topology, args.host), args, opts);
    }
}
