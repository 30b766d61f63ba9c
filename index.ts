import * as pulumi from "@pulumi/pulumi";
import { MesosCluster } from "./components/cluster";
import { parseConfig } from "./components/config";
import { buildTopology } from "./components/topology";

// Validate everything before the first resource is registered: a bad stack creates nothing.
const config = parseConfig(pulumi.runtime.allConfig());
const topology = buildTopology(config);

const cluster = new MesosCluster("mesos", {
    topology,
    runtime: { kind: config.runtime, engine: config.engine, sshUser: config.sshUser, sshPort: config.sshPort, imagesDir: "images" },
});

export const zookeeperUrl = cluster.zookeeperUrl;
export const quorum = cluster.quorum;
export const mesosUrls = cluster.mesosUrls;
export const marathonUrls = cluster.marathonUrls;
export const chronosUrls = cluster.chronosUrls;
