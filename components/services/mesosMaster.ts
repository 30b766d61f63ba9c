import * as pulumi from "@pulumi/pulumi";
import { ServiceSpec } from "../spec";
import { Host, Topology } from "../topology";
import { VERSIONS } from "../versions";
import { masterCredentials } from "../credentials";
import { ServiceArgs, ServiceComponent, configFile, containerName, httpHealth, dataVolume, libprocessEnv, portsOf } from "./common";

const WORK_DIR = "/var/lib/mesos/master";
const CREDENTIALS = "/etc/mesos/credentials.json";
const LOG_DIR = "/var/log/mesos";

export function mesosMasterSpec(t: Topology, host: Host): ServiceSpec {
    return {
        service: "mesos-master",
        host,
        containerName: containerName(t, "mesos-master", host),
        image: { context: "mesos-master", repository: "mesos-cluster/mesos-master", tag: VERSIONS.mesos },
        // Flags as arguments, not MESOS_* variables: the upstream image's CMD is
        // --registry=in_memory, which would silently win over an env var.
        args: [
            ...(t.authentication ? ["--authenticate_agents", "--authenticate_frameworks"] : []),
            `--cluster=${t.clusterName}`,
            ...(t.authentication ? [`--credentials=${CREDENTIALS}`] : []),
            `--hostname=${host.address}`,
            `--ip=${host.address}`,
            `--log_dir=${LOG_DIR}`,
            `--logging_level=${t.logLevel}`,
            `--port=${t.ports.master}`,
            `--quorum=${t.quorum}`,
            "--registry=replicated_log",
            `--work_dir=${WORK_DIR}`,
            `--zk=${t.mesosZkUrl}`,
        ],
        env: libprocessEnv(host),
        volumes: [dataVolume(t, host, "mesos-master", "work", WORK_DIR), dataVolume(t, host, "mesos-master", "log", LOG_DIR)],
        files: t.authentication ? [configFile(t, host, "mesos-master", CREDENTIALS, masterCredentials())] : [],
        health: httpHealth(t, [`http://${host.address}:${t.ports.master}/master/health`], [`http://${host.address}:${t.ports.master}/master/redirect`]),
        ports: portsOf(t, "mesos-master", host),
        privileged: false,
        pidHost: false,
    };
}

/** A Mesos master; the masters elect a leader through ZooKeeper. */
export class MesosMaster extends ServiceComponent {
    constructor(name: string, args: ServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mesos:master:MesosMaster", name, mesosMasterSpec(args.topology, args.host), args, opts);
    }
}
