import * as pulumi from "@pulumi/pulumi";
import { MesosCluster } from "./components/cluster";
import { CONFIG_NAMESPACE, secretTexts } from "./components/config";
import { keepSecret } from "./components/keptSecret";
import { clusterArgs } from "./components/settings";
import { stackTopology } from "./components/composition";

// The SDK's own record of which keys were set with --secret (absent from its typings).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { isConfigSecret } = require("@pulumi/pulumi/runtime/config") as { isConfigSecret: (key: string) => boolean };

// config → topology → cluster → outputs. Everything is validated before the first resource
// is registered, every spec included: a bad stack creates nothing, and one error lists it all.
const raw = pulumi.runtime.allConfig();
const secretKeys = new Set(Object.keys(raw).filter(isConfigSecret));
const topology = stackTopology(raw, { secretKeys });
const config = topology.config;
const stackConfig = new pulumi.Config(CONFIG_NAMESPACE);
// Values of keys set with --secret that the program does not declare secret stay secret in
// every input (the outputs hold none of them: such keys are refused, KeyDeclaration.visible).
const hidden = secretTexts(raw, secretKeys);
const cluster = new MesosCluster(
    "mesos",
    clusterArgs(config, topology, (key) => stackConfig.requireSecret(key)),
    hidden.length === 0 ? {} : { transformations: [keepSecret(hidden)] },
);

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
export const operatorUser = cluster.operatorUser;
export const operatorPassword = cluster.operatorPassword;
export const health = cluster.health;
