import { ServiceDescriptor } from "../service";
import { ServiceSpec, secretRef } from "../spec";
import { Host, Topology } from "../topology/types";
import { MAIL_PASSWORD, OPERATOR_LOGIN_FILES, PRINCIPALS, operatorLogin, zookeeperLogin } from "./credentials";
import { configFile, httpHealth, keyPort, libprocessEnv, specBase } from "./common";

const NAME = "chronos";
const VERSION = "3.0.2";
const SECRET = "/etc/chronos/mesos-secret";
/** Read by the image's entrypoint, which passes it as --mail_password: never in a unit or env. */
export const CHRONOS_MAIL_PASSWORD_FILE = "/etc/chronos/mail-password";
/** Read by the image's entrypoint, which passes it as --zk_auth (`chronos:PASSWORD`). */
export const CHRONOS_ZK_AUTH_FILE = "/etc/chronos/zk-auth";
/**
 * The operator's login, `user:password`: the image's entrypoint exports it as
 * MESOSPHERE_HTTP_CREDENTIALS, which Chronos's HTTP layer (mesosphere/chaos HttpConf) reads as
 * --http_credentials' default: in the process's environment, not its arguments.
 */
export const CHRONOS_HTTP_CREDENTIALS_FILE = OPERATOR_LOGIN_FILES.chronos;

function spec(t: Topology, host: Host): ServiceSpec {
    const c = t.config;
    return {
        ...specBase(t, host, NAME, VERSION),
        // No --http_port: the image's start appends `--http_port $PORT0` itself, and Chronos
        // refuses a repeated option (images/chronos/contract.yaml).
        args: [
            `--cluster_name=${c.clusterName}`,
            `--hostname=${host.address}`,
            `--http_address=${host.address}`,
            ...(c.chronosMailServer === ""
                ? []
                : [
                      `--mail_from=${c.chronosMailFrom}`,
                      `--mail_server=${c.chronosMailServer}`,
                      ...(c.chronosMailSsl ? ["--mail_ssl"] : []),
                      ...(c.chronosMailUser === "" ? [] : [`--mail_user=${c.chronosMailUser}`]),
                  ]),
            `--master=${t.mesosZkUrl}`,
            ...(c.authentication ? [`--mesos_authentication_principal=${PRINCIPALS.chronos}`, `--mesos_authentication_secret_file=${SECRET}`] : []),
            // host:port list without scheme or path: Chronos rejects the zk:// form.
            `--zk_hosts=${t.zkHosts}`,
            "--zk_path=/chronos/state",
        ],
        // The image takes its HTTP port from PORT0, its libprocess port from PORT1, JVM options from JVM_OPTS.
        env: {
            ...libprocessEnv(host),
            JVM_OPTS: `-Xmx${c.chronosHeapMb}m`,
            PORT0: String(c.chronosPort),
            PORT1: String(c.chronosLibprocessPort),
        },
        // Chronos keeps its jobs in ZooKeeper.
        volumes: [],
        files: [
            ...(c.authentication ? [configFile(t, host, NAME, SECRET, secretRef("chronos"))] : []),
            ...(c.chronosMailPassword ? [configFile(t, host, NAME, CHRONOS_MAIL_PASSWORD_FILE, secretRef(MAIL_PASSWORD))] : []),
            // Its ZooKeeper login: Chronos creates /chronos's children as its own user.
            ...(c.authentication ? [configFile(t, host, NAME, CHRONOS_ZK_AUTH_FILE, zookeeperLogin("chronos"))] : []),
            ...(c.authentication ? [configFile(t, host, NAME, CHRONOS_HTTP_CREDENTIALS_FILE, operatorLogin())] : []),
        ],
        // Answering, and a leader elected: Chronos's leader resource (under its API's
        // /v1/scheduler, ChronosRestModule.scala at v3.0.2) names it, "" while there is none.
        // With its login every path needs it, /ping included.
        health: httpHealth(
            t,
            host,
            [{ path: "/ping" }, { path: "/v1/scheduler/leader", body: '"leader":"[^"]+"' }].map((check) => ({
                port: c.chronosPort,
                ...check,
                ...(c.authentication ? { basicAuthFile: CHRONOS_HTTP_CREDENTIALS_FILE } : {}),
            })),
        ),
    };
}

/** Chronos on every master host; the instances elect a leader through ZooKeeper. */
export const chronos: ServiceDescriptor = {
    name: NAME,
    type: "mesos:chronos:Chronos",
    tier: 3,
    runsOn: "masters",
    rollout: "one-by-one",
    ports: (c) => [keyPort(c, "chronosPort"), keyPort(c, "chronosLibprocessPort")],
    version: VERSION,
    upstream: { daemon: "chronos", version: VERSION },
    spec,
};
