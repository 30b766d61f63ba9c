import * as pulumi from "@pulumi/pulumi";
import { ServiceSpec } from "../spec";
import { Host, Topology } from "../topology";
import { VERSIONS } from "../versions";
import { MAIL_PASSWORD, PRINCIPALS, secretFile } from "../credentials";
import { ServiceArgs, ServiceComponent, configFile, containerName, httpHealth, libprocessEnv, portsOf } from "./common";

const SECRET = "/etc/chronos/mesos-secret";
/** Read by the image's entrypoint, which passes it as --mail_password: never in a unit or env. */
export const CHRONOS_MAIL_PASSWORD_FILE = "/etc/chronos/mail-password";

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
            ...(t.mail.server === ""
                ? []
                : [
                      `--mail_from=${t.mail.from}`,
                      `--mail_server=${t.mail.server}`,
                      ...(t.mail.ssl ? ["--mail_ssl"] : []),
                      ...(t.mail.user === "" ? [] : [`--mail_user=${t.mail.user}`]),
                  ]),
            `--master=${t.mesosZkUrl}`,
            ...(t.authentication ? [`--mesos_authentication_principal=${PRINCIPALS.chronos}`, `--mesos_authentication_secret_file=${SECRET}`] : []),
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
        files: [
            ...(t.authentication ? [configFile(t, host, "chronos", SECRET, secretFile("chronos"))] : []),
            ...(t.mail.password ? [configFile(t, host, "chronos", CHRONOS_MAIL_PASSWORD_FILE, secretFile(MAIL_PASSWORD))] : []),
        ],
        health: httpHealth(t, [`http://${host.address}:${t.ports.chronos}/ping`]),
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
