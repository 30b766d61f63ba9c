import * as pulumi from "@pulumi/pulumi";
import { MesosCluster } from "./components/cluster";
import { CONFIG_NAMESPACE, parseConfig } from "./components/config";
import { RuntimeSettings } from "./components/runtimes";
import { buildTopology } from "./components/topology";

// The SDK's own record of which keys were set with --secret (absent from its typings).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { isConfigSecret } = require("@pulumi/pulumi/runtime/config") as { isConfigSecret: (key: string) => boolean };

// Validate everything before the first resource is registered: a bad stack creates nothing.
const raw = pulumi.runtime.allConfig();
const config = parseConfig(raw, { secretKeys: new Set(Object.keys(raw).filter(isConfigSecret)) });
const topology = buildTopology(config);

const runtime: RuntimeSettings =
    config.runtime === "docker"
        ? { kind: "docker", engine: config.engine, sshUser: config.sshUser, sshPort: config.sshPort, imagesDir: "images" }
        : {
              kind: "systemd",
              sshUser: config.sshUser,
              sshPort: config.sshPort,
              sshPrivateKey: new pulumi.Config(CONFIG_NAMESPACE).requireSecret("sshPrivateKey"),
              registry: topology.imageRegistry,
              registryLogin: topology.registry?.auth ? { username: topology.registry.user } : undefined,
              // The cluster's own registry starts empty: the program fills it.
              push: topology.registry === undefined ? undefined : { imagesDir: "images" },
          };

const cluster = new MesosCluster("mesos", {
    topology,
    runtime,
    chronosMailPassword: config.chronosMailPassword ? new pulumi.Config(CONFIG_NAMESPACE).requireSecret("chronosMailPassword") : undefined,
    registryTlsKey: config.registryTlsKey ? new pulumi.Config(CONFIG_NAMESPACE).requireSecret("registryTlsKey") : undefined,
});

export const zookeeperUrl = cluster.zookeeperUrl;
export const quorum = cluster.quorum;
export const mesosUrls = cluster.mesosUrls;
export const marathonUrls = cluster.marathonUrls;
export const chronosUrls = cluster.chronosUrls;
export const bambooUrls = cluster.bambooUrls;
export const haproxyUrls = cluster.haproxyUrls;
export const registryAddress = cluster.registryAddress;
export const registryUser = cluster.registryUser;
export const registryPassword = cluster.registryPassword;
export const health = cluster.health;
