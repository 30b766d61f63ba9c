import { ServiceDescriptor } from "../service";
import { ServiceSpec, Template, jsonTemplate, secretRef } from "../spec";
import { Host, Topology } from "../topology/types";
import { configFile, dataVolume, httpHealth, keyPort, keyRange, specBase } from "./common";
import { OPERATOR_LOGIN_FILES, OPERATOR_PASSWORD, OPERATOR_USER, operatorLogin, zookeeperLogin } from "./credentials";
import { BambooFrontLayout, HAPROXY_STATS_PATH, HaproxyLayout, renderBambooFront, renderHaproxyInitial, renderHaproxyTemplate } from "./haproxy";

const NAME = "bamboo";
/** QubitProducts/bamboo's last release. */
const VERSION = "0.2.21";
const DIR = "/etc/bamboo";
const CONFIG = `${DIR}/production.json`;
const TEMPLATE = `${DIR}/haproxy_template.cfg`;
/** The entrypoint starts HAProxy with this until Bamboo writes the first config. */
export const HAPROXY_INITIAL = `${DIR}/haproxy-initial.cfg`;
/** Where Bamboo writes HAProxy's config and HAProxy reads it (inside the container). */
export const HAPROXY_CONFIG = "/etc/haproxy/haproxy.cfg";
/**
 * With authentication: HAProxy's front for Bamboo (the operator's login in a userlist), a
 * second config the entrypoint and Bamboo's validation give HAProxy beside the rendered one.
 */
export const HAPROXY_FRONT = OPERATOR_LOGIN_FILES.bamboo;
/** `user:password` for the readiness check, which goes through the front. */
const CHECK_LOGIN = `${DIR}/operator-login`;
const LOG_DIR = "/var/log/bamboo";
/** Bamboo keeps the host rules (ACLs) of every app here, shared by all Bamboo instances. */
export const BAMBOO_ZK_PATH = "/bamboo";
/** Bamboo's ZooKeeper login, `bamboo:PASSWORD`: its image logs in with it and protects what it creates. */
export const BAMBOO_ZK_AUTH_FILE = "/etc/bamboo/zk-auth";

const layout = (t: Topology, host: Host): HaproxyLayout => ({ address: host.address, httpPort: t.config.haproxyHttpPort });
const frontLayout = (t: Topology, host: Host): BambooFrontLayout => ({ address: host.address, port: t.config.bambooPort, localPort: t.config.bambooLocalPort });

/**
 * Bamboo's `production.json`: every Marathon, the ZooKeeper ensemble, and how HAProxy's config
 * is written, checked and reloaded. Marathon ≥ 1.5 has no HTTP callbacks, so Bamboo follows
 * its event stream. With authentication, Marathon needs the operator's login, which Bamboo
 * sends from its Marathon section (User, Password: configuration/marathon.go at v0.2.21) on
 * every request to Marathon. Not MARATHON_USER/MARATHON_PASSWORD: Bamboo logs the value of
 * every variable that overrides its config (configuration/configuration.go l.71).
 */
export function renderBambooConfig(t: Topology, host: Host): Template {
    const auth = t.config.authentication;
    const config = {
        Marathon: {
            Endpoint: t.masters.map((m) => `http://${m.address}:${t.config.marathonPort}`).join(","),
            ...(auth ? { User: OPERATOR_USER, Password: secretRef(OPERATOR_PASSWORD) } : {}),
            UseEventStream: true,
        },
        Bamboo: {
            Endpoint: `http://${host.address}:${t.config.bambooPort}`,
            Zookeeper: { Host: t.zkHosts, Path: BAMBOO_ZK_PATH, ReportingDelay: 5 },
        },
        HAProxy: {
            TemplatePath: TEMPLATE,
            OutputPath: HAPROXY_CONFIG,
            // Bamboo writes each new config aside, runs this on it ({{.}} is its path), and
            // moves it into place and reloads only if it passes: beside the front, as HAProxy
            // loads them.
            ReloadValidationCommand: `haproxy -c -q -f {{.}}${auth ? ` -f ${HAPROXY_FRONT}` : ""}`,
            // A soft reload: HAProxy's master starts new workers, old ones finish their connections.
            ReloadCommand: "haproxy-reload",
            ReloadCleanupCommand: "true",
        },
        StatsD: { Enabled: false, Host: "localhost:8125", Prefix: "bamboo." },
    };
    return { parts: [...jsonTemplate(config).parts, "\n"] };
}

function spec(t: Topology, host: Host): ServiceSpec {
    const c = t.config;
    const l = layout(t, host);
    const file = (container: string, template: Template | string) => configFile(t, host, NAME, container, template, "0644");
    // Bamboo runs as root in its container (images/bamboo/contract.yaml): its secret files are root's.
    const secretFile = (container: string, template: Template) => configFile(t, host, NAME, container, template, "0600");
    return {
        ...specBase(t, host, NAME, VERSION),
        // Bamboo's own flags (Go's flag package: one dash). With authentication it listens on
        // 127.0.0.1 only, behind HAProxy's front on Bamboo's port.
        args: [`-bind=${c.authentication ? "127.0.0.1" : host.address}:${c.authentication ? c.bambooLocalPort : c.bambooPort}`, `-config=${CONFIG}`, `-log=${LOG_DIR}/bamboo.log`],
        env: {},
        // Bamboo's log on the host; HAProxy logs to the container's output.
        volumes: [dataVolume(t, host, NAME, "log", LOG_DIR)],
        files: [
            (c.authentication ? secretFile : file)(CONFIG, renderBambooConfig(t, host)),
            file(TEMPLATE, renderHaproxyTemplate(l)),
            file(HAPROXY_INITIAL, renderHaproxyInitial(l)),
            ...(c.authentication
                ? [
                      secretFile(HAPROXY_FRONT, renderBambooFront(frontLayout(t, host))),
                      secretFile(CHECK_LOGIN, operatorLogin()),
                      // Read by the image's own addition to Bamboo (images/bamboo/patch/zk_login.go).
                      secretFile(BAMBOO_ZK_AUTH_FILE, zookeeperLogin("bamboo")),
                  ]
                : []),
        ],
        // Through the front with the login: Bamboo answers, and the front lets the operator in.
        health: httpHealth(t, host, [
            { port: c.bambooPort, path: "/status", ...(c.authentication ? { basicAuthFile: CHECK_LOGIN } : {}) },
            { port: c.haproxyHttpPort, path: HAPROXY_STATS_PATH },
        ]),
    };
}

/** Bamboo with HAProxy in one container on every Bamboo host: routes to Marathon's apps from there. */
export const bamboo: ServiceDescriptor = {
    name: NAME,
    type: "mesos:bamboo:Bamboo",
    // It reads Marathon's apps and events.
    tier: 4,
    runsOn: "bambooHosts",
    rollout: "one-by-one",
    // Bamboo's own port is on 127.0.0.1 only, but on the dev stack every service is there too.
    ports: (c) => [keyPort(c, "bambooPort"), ...(c.authentication ? [keyPort(c, "bambooLocalPort")] : []), keyPort(c, "haproxyHttpPort"), keyRange(c, "servicePorts")],
    version: VERSION,
    spec,
};
