import { stringify } from "yaml";
import { ServiceDescriptor } from "../service";
import { ServiceSpec, secretRef } from "../spec";
import { ClusterRegistry, Host, Topology } from "../topology/types";
import { REGISTRY_PASSWORD, REGISTRY_TLS_KEY } from "./credentials";
import { configFile, dataVolume, keyPort, specBase } from "./common";

const NAME = "registry";
/** Debian bookworm's `docker-registry` package (distribution). */
const VERSION = "2.8.2";
const DIR = "/etc/docker/registry";
const CONFIG = `${DIR}/config.yml`;
const CERTIFICATE = `${DIR}/tls.crt`;
const KEY = `${DIR}/tls.key`;
/** Read by the image's entrypoint, which writes the bcrypt htpasswd file from it at start. */
export const REGISTRY_PASSWORD_FILE = `${DIR}/password`;
/** Where the entrypoint writes htpasswd (inside the container only). */
export const REGISTRY_HTPASSWD = "/run/registry/htpasswd";
const STORAGE = "/var/lib/registry";

/** The registry's URL scheme and base URL. */
export function registryUrl(r: ClusterRegistry): string {
    return `${r.certificate === "" ? "http" : "https"}://${r.address}`;
}

/** The registry's `config.yml` (distribution 2.x): storage on the data volume, TLS and htpasswd as configured. */
export function renderRegistryConfig(r: ClusterRegistry): string {
    const config = {
        version: 0.1,
        log: { level: "info", formatter: "text" },
        storage: {
            filesystem: { rootdirectory: STORAGE },
            // Lets operators delete images by digest (and reclaim space with garbage-collect).
            delete: { enabled: true },
        },
        http: {
            addr: r.address,
            ...(r.certificate === "" ? {} : { tls: { certificate: CERTIFICATE, key: KEY } }),
        },
        ...(r.auth ? { auth: { htpasswd: { realm: "mesos-cluster", path: REGISTRY_HTPASSWD } } } : {}),
        health: { storagedriver: { enabled: true, interval: "10s", threshold: 3 } },
    };
    return stringify(config);
}

function spec(t: Topology, host: Host): ServiceSpec {
    const r = t.registry;
    if (r === undefined || r.host.name !== host.name) {
        throw new Error(`host "${host.name}" is not the registry host`);
    }
    const base = registryUrl(r);
    return {
        // The registry cannot serve its own image: its host's engine must have it.
        ...specBase(t, host, NAME, VERSION, true),
        args: ["serve", CONFIG],
        env: r.auth ? { LOGIN_USER: r.user } : {},
        volumes: [dataVolume(t, host, NAME, "data", STORAGE)],
        files: [
            configFile(t, host, NAME, CONFIG, renderRegistryConfig(r), "0644"),
            ...(r.certificate === ""
                ? []
                : [
                      configFile(t, host, NAME, CERTIFICATE, r.certificate, "0644"),
                      configFile(t, host, NAME, KEY, secretRef(REGISTRY_TLS_KEY)),
                  ]),
            ...(r.auth ? [configFile(t, host, NAME, REGISTRY_PASSWORD_FILE, secretRef(REGISTRY_PASSWORD))] : []),
        ],
        health: {
            // The base route answers 200 without authentication; the API (/v2/) answers 401 with it.
            endpoints: [{ kind: "http", url: `${base}/` }],
            // From inside, a certificate for the host's name need not match the address used here.
            command: ["sh", "-c", `curl -fsS -o /dev/null --max-time 5 ${r.certificate === "" ? "" : "-k "}'${base}/'`],
            timeoutSeconds: t.config.readinessTimeoutSeconds,
        },
    };
}

/** The cluster's private Docker registry on the registry host, with its data on a host volume. */
export const registry: ServiceDescriptor = {
    name: NAME,
    type: "mesos:registry:Registry",
    // The other services' images may come from it.
    tier: 0,
    runsOn: "registryHost",
    rollout: "one-by-one",
    ports: (c) => [keyPort(c, "registryPort")],
    version: VERSION,
    localImage: true,
    servesImages: true,
    spec,
};
