import { ServiceDescriptor } from "../service";
import { ServiceSpec } from "../spec";
import { Host, Topology } from "../topology/types";
import { configFile, dataVolume, httpHealth, keyPort, keyRange, specBase } from "./common";
import { HAPROXY_STATS_PATH, HaproxyLayout, renderHaproxyInitial, renderHaproxyTemplate } from "./haproxy";

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
const LOG_DIR = "/var/log/bamboo";
/** Bamboo keeps the host rules (ACLs) of every app here, shared by all Bamboo instances. */
export const BAMBOO_ZK_PATH = "/bamboo";

const layout = (t: Topology, host: Host): HaproxyLayout => ({ address: host.address, httpPort: t.config.haproxyHttpPort });

/**
 * Bamboo's `production.json`: every Marathon, the ZooKeeper ensemble, and how HAProxy's config
 * is written, checked and reloaded. Marathon ≥ 1.5 has no HTTP callbacks, so Bamboo follows
 * its event stream.
 */
export function renderBambooConfig(t: Topology, host: Host): string {
    const config = {
        Marathon: {
            Endpoint: t.masters.map((m) => `http://${m.address}:${t.config.marathonPort}`).join(","),
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
            // moves it into place and reloads only if it passes.
            ReloadValidationCommand: "haproxy -c -q -f {{.}}",
            // A soft reload: HAProxy's master starts new workers, old ones finish their connections.
            ReloadCommand: "haproxy-reload",
            ReloadCleanupCommand: "true",
        },
        StatsD: { Enabled: false, Host: "localhost:8125", Prefix: "bamboo." },
    };
    return `${JSON.stringify(config, null, 2)}\n`;
}

function spec(t: Topology, host: Host): ServiceSpec {
    const c = t.config;
    const l = layout(t, host);
    const file = (container: string, template: string) => configFile(t, host, NAME, container, template, "0644");
    return {
        ...specBase(t, host, NAME, VERSION),
        // Bamboo's own flags (Go's flag package: one dash).
        args: [`-bind=${host.address}:${c.bambooPort}`, `-config=${CONFIG}`, `-log=${LOG_DIR}/bamboo.log`],
        env: {},
        // Bamboo's log on the host; HAProxy logs to the container's output.
        volumes: [dataVolume(t, host, NAME, "log", LOG_DIR)],
        files: [file(CONFIG, renderBambooConfig(t, host)), file(TEMPLATE, renderHaproxyTemplate(l)), file(HAPROXY_INITIAL, renderHaproxyInitial(l))],
        health: httpHealth(t, host, [
            { port: c.bambooPort, path: "/status" },
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
    ports: (c) => [keyPort(c, "bambooPort"), keyPort(c, "haproxyHttpPort"), keyRange(c, "servicePorts")],
    version: VERSION,
    spec,
};
