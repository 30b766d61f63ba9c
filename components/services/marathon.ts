import { ServiceDescriptor } from "../service";
import { ServiceSpec, secretRef } from "../spec";
import { Host, Topology } from "../topology/types";
import { OPERATOR_LOGIN_FILES, PRINCIPALS, operatorLogin, zookeeperLoginUrl } from "./credentials";
import { ServiceUser, configFile, httpHealth, keyPort, libprocessEnv, specBase } from "./common";

const NAME = "marathon";
const VERSION = "1.8.244";
const SECRET = "/etc/marathon/mesos-secret";
/** Read by the image's entrypoint into MARATHON_ZK: `zk://marathon:PASSWORD@…/marathon`. */
export const MARATHON_ZK_LOGIN_FILE = "/etc/marathon/zk";
/**
 * The operator's login, `user:password`: the image's entrypoint exports it as
 * MESOSPHERE_HTTP_CREDENTIALS, which Marathon reads as --http_credentials' default
 * (HttpConf.scala at v1.8.244, l.51-58, 84, 91). Not MARATHON_HTTP_CREDENTIALS: Marathon turns those
 * variables into command-line arguments of its own (Main.scala envToArgs), which it logs
 * at start (L70, v1.8.244). The readiness check reads the file too.
 */
export const MARATHON_HTTP_CREDENTIALS_FILE = OPERATOR_LOGIN_FILES.marathon;
/** The upstream image ends `USER nobody` (images/marathon/contract.yaml). */
const USER: ServiceUser = { uid: 65534, gid: 65534 };

function spec(t: Topology, host: Host): ServiceSpec {
    const c = t.config;
    return {
        ...specBase(t, host, NAME, VERSION),
        // Flags only: MARATHON_* variables as well would set each flag twice.
        args: [
            `--hostname=${host.address}`,
            `--http_address=${host.address}`,
            `--http_port=${c.marathonPort}`,
            // Apps' service ports come from the range HAProxy binds on the Bamboo hosts.
            `--local_port_max=${t.ranges.service.last}`,
            `--local_port_min=${t.ranges.service.first}`,
            `--master=${t.mesosZkUrl}`,
            ...(c.authentication ? ["--mesos_authentication", `--mesos_authentication_principal=${PRINCIPALS.marathon}`, `--mesos_authentication_secret_file=${SECRET}`] : []),
            // With authentication, Marathon logs in to ZooKeeper (its state is then its own user's
            // alone): the URL, password and all, comes from a file through its entrypoint.
            ...(c.authentication ? [] : [`--zk=${t.marathonZkUrl}`]),
        ],
        // The start script passes JAVA_OPTS to the JVM: without a limit it sizes its heap from the host's memory.
        env: { ...libprocessEnv(host), JAVA_OPTS: `-Xmx${c.marathonHeapMb}m` },
        // Marathon keeps its state in ZooKeeper; it has nothing on disk to keep.
        volumes: [],
        files: c.authentication
            ? [
                  configFile(t, host, NAME, SECRET, secretRef("marathon"), "0600", USER),
                  configFile(t, host, NAME, MARATHON_ZK_LOGIN_FILE, zookeeperLoginUrl("marathon", t.zkHosts, "/marathon"), "0600", USER),
                  configFile(t, host, NAME, MARATHON_HTTP_CREDENTIALS_FILE, operatorLogin(), "0600", USER),
              ]
            : [],
        // With its login, Jetty's basic authentication covers every path (/*), /ping included.
        health: httpHealth(
            t,
            host,
            ["/ping", "/v2/leader"].map((path) => ({ port: c.marathonPort, path, ...(c.authentication ? { basicAuthFile: MARATHON_HTTP_CREDENTIALS_FILE } : {}) })),
        ),
    };
}

/** Marathon on every master host; the instances elect a leader through ZooKeeper. */
export const marathon: ServiceDescriptor = {
    name: NAME,
    type: "mesos:marathon:Marathon",
    tier: 3,
    runsOn: "masters",
    rollout: "one-by-one",
    ports: (c) => [keyPort(c, "marathonPort")],
    version: VERSION,
    upstream: { daemon: "marathon", version: VERSION, envPrefix: "MARATHON_" },
    spec,
};
