import { ServiceDescriptor } from "../service";
import { ServiceSpec } from "../spec";
import { Host, Topology } from "../topology/types";
import { masterCredentials, zookeeperLoginUrl } from "./credentials";
import { configFile, dataVolume, httpHealth, keyPort, libprocessEnv, specBase } from "./common";

const NAME = "master";
export const MESOS_VERSION = "1.7.1";
const WORK_DIR = "/var/lib/mesos/master";
const CREDENTIALS = "/etc/mesos/credentials.json";
const LOG_DIR = "/var/log/mesos";
/** `zk://mesos:PASSWORD@…/mesos`: the masters write /mesos as ZooKeeper's user mesos (read from a file, `file://`). */
const ZK_LOGIN = "/etc/mesos/zk";

function spec(t: Topology, host: Host): ServiceSpec {
    const c = t.config;
    return {
        ...specBase(t, host, NAME, MESOS_VERSION),
        // Flags as arguments, not MESOS_* variables: an image's CMD (--registry=in_memory in
        // Mesosphere's) would silently win over an env var.
        args: [
            ...(c.authentication ? ["--authenticate_agents", "--authenticate_frameworks"] : []),
            // The operator APIs (tear down a framework, maintenance, quota, /api/v1) need the
            // operator's login; the read-only ones (state, every task's environment) too, unless
            // the stack says otherwise. The login is in --credentials, which the master's basic
            // HTTP authenticator reads (it has no --http_credentials). /master/health,
            // /master/redirect and /version stay open (src/master/http.cpp at 1.7.1): the
            // readiness check needs no login.
            ...(c.authentication && c.readonlyAuthentication ? ["--authenticate_http_readonly"] : []),
            ...(c.authentication ? ["--authenticate_http_readwrite"] : []),
            `--cluster=${c.clusterName}`,
            ...(c.authentication ? [`--credentials=${CREDENTIALS}`] : []),
            `--hostname=${host.address}`,
            `--ip=${host.address}`,
            `--log_dir=${LOG_DIR}`,
            `--logging_level=${c.logLevel}`,
            `--port=${c.masterPort}`,
            `--quorum=${t.quorum}`,
            "--registry=replicated_log",
            `--work_dir=${WORK_DIR}`,
            // With authentication, the masters log in to ZooKeeper, whose /mesos only they may
            // write: nobody else can pose as the leading master. Mesos reads a flag's value from
            // a file:// path, so the password is on no command line.
            c.authentication ? `--zk=file://${ZK_LOGIN}` : `--zk=${t.mesosZkUrl}`,
        ],
        // The image's entrypoint compares the masters and the quorum with those of its last
        // start, and refuses an order of change the replicated log cannot survive.
        env: { ...libprocessEnv(host), MASTERS: t.masters.map((m) => `${m.address}:${c.masterPort}`).join(",") },
        volumes: [dataVolume(t, host, NAME, "work", WORK_DIR), dataVolume(t, host, NAME, "log", LOG_DIR)],
        files: c.authentication
            ? [configFile(t, host, NAME, CREDENTIALS, masterCredentials()), configFile(t, host, NAME, ZK_LOGIN, zookeeperLoginUrl("mesos", t.zkHosts, "/mesos"))]
            : [],
        health: httpHealth(t, host, [{ port: c.masterPort, path: "/master/health" }, { port: c.masterPort, path: "/master/redirect", redirect: true }]),
    };
}

/** A Mesos master on every master host; they elect a leader through ZooKeeper. */
export const master: ServiceDescriptor = {
    name: NAME,
    type: "mesos:master:MesosMaster",
    tier: 2,
    runsOn: "masters",
    rollout: "one-by-one",
    ports: (c) => [keyPort(c, "masterPort")],
    version: MESOS_VERSION,
    upstream: { daemon: "mesos-master", version: MESOS_VERSION, envPrefix: "MESOS_" },
    spec,
};
