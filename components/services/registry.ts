import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { REGISTRY_PASSWORD, REGISTRY_TLS_KEY, secretFile } from "../credentials";
import { ServiceSpec } from "../spec";
import { ClusterRegistry, Host, Topology } from "../topology";
import { VERSIONS } from "../versions";
import { ServiceArgs, ServiceComponent, configFile, containerName, dataVolume, portsOf } from "./common";

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

export function registrySpec(t: Topology, host: Host): ServiceSpec {
    const r = t.registry;
    if (r === undefined || r.host.name !== host.name) {
        throw new Error(`host "${host.name}" is not the registry host`);
    }
    const base = registryUrl(r);
    return {
        service: "registry",
        host,
        containerName: containerName(t, "registry", host),
        // The registry cannot serve its own image: its host's engine must have it.
        image: { context: "registry", repository: "mesos-cluster/registry", tag: VERSIONS.registry, local: true },
        args: ["serve", CONFIG],
        env: r.auth ? { LOGIN_USER: r.user } : {},
        volumes: [dataVolume(t, host, "registry", "data", STORAGE)],
        files: [
            configFile(t, host, "registry", CONFIG, renderRegistryConfig(r), "0644"),
            ...(r.certificate === ""
                ? []
                : [
                      configFile(t, host, "registry", CERTIFICATE, r.certificate, "0644"),
                      configFile(t, host, "registry", KEY, secretFile(REGISTRY_TLS_KEY)),
                  ]),
            ...(r.auth ? [configFile(t, host, "registry", REGISTRY_PASSWORD_FILE, secretFile(REGISTRY_PASSWORD))] : []),
        ],
        health: {
            // The base route answers 200 without authentication; the API (/v2/) answers 401 with it.
            endpoints: [{ kind: "http", url: `${base}/` }],
            // From inside, a certificate for the host's name need not match the address used here.
            command: ["sh", "-c", `curl -fsS -o /dev/null --max-time 5 ${r.certificate === "" ? "" : "-k "}'${base}/'`],
            timeoutSeconds: t.readinessTimeoutSeconds,
        },
        ports: portsOf(t, "registry", host),
        privileged: false,
        pidHost: false,
    };
}

/** The cluster's private Docker registry, with its data on a host volume. */
export class Registry extends ServiceComponent {
    constructor(name: string, args: ServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mesos:registry:Registry", name, registrySpec(args.topology, args.host), args, opts);
    }
}
