import * as pulumi from "@pulumi/pulumi";
import { ServiceSpec } from "../spec";
import { Host, Topology, dataRootOf } from "../topology";
import { VERSIONS } from "../versions";
import { REGISTRY_DOCKER_CONFIG, agentCredential, secretFile } from "../credentials";
import { registryUrl } from "./registry";
import { ServiceArgs, ServiceComponent, configFile, containerName, httpHealth, dataVolume, libprocessEnv, portsOf } from "./common";

const LOG_DIR = "/var/log/mesos";
const CREDENTIAL = "/etc/mesos/credential.json";
const DOCKER_CONFIG = "/etc/mesos/docker-config.json";

/** `cpus:N;mem:M;ports:[a-b]`: what the agent offers; cpus and mem only where configured. */
function resources(t: Topology): string {
    const { cpus, memoryMb } = t.agentResources;
    const { first, last } = t.ports.agentTasks;
    return [...(cpus > 0 ? [`cpus:${cpus}`] : []), ...(memoryMb > 0 ? [`mem:${memoryMb}`] : []), `ports:[${first}-${last}]`].join(";");
}

export function mesosAgentSpec(t: Topology, host: Host): ServiceSpec {
    // The host's Docker daemon mounts task sandboxes by host path, so the work_dir must be
    // the same path inside the agent's container and on the host.
    const work = dataVolume(t, host, "mesos-agent", "work", `${dataRootOf(t, host)}/mesos-agent/work`);
    return {
        service: "mesos-agent",
        host,
        containerName: containerName(t, "mesos-agent", host),
        image: { context: "mesos-agent", repository: "mesos-cluster/mesos-agent", tag: VERSIONS.mesos },
        args: [
            ...(t.agentAttributes === "" ? [] : [`--attributes=${t.agentAttributes}`]),
            "--containerizers=docker,mesos",
            ...(t.authentication ? [`--credential=${CREDENTIAL}`] : []),
            // Tasks' images: the registry login, for the Docker and Mesos containerizers.
            ...(t.registry?.auth ? [`--docker_config=${DOCKER_CONFIG}`] : []),
            // Where the Mesos containerizer pulls images named without a registry.
            ...(t.registry === undefined ? [] : [`--docker_registry=${registryUrl(t.registry)}`]),
            `--executor_registration_timeout=${t.executorRegistrationTimeout}`,
            `--hostname=${host.address}`,
            `--ip=${host.address}`,
            `--log_dir=${LOG_DIR}`,
            `--logging_level=${t.logLevel}`,
            `--master=${t.mesosZkUrl}`,
            // In a container the agent cannot delegate executors to systemd.
            "--no-systemd_enable_support",
            `--port=${t.ports.agent}`,
            `--resources=${resources(t)}`,
            `--work_dir=${work.container}`,
        ],
        env: libprocessEnv(host),
        volumes: [
            work,
            dataVolume(t, host, "mesos-agent", "log", LOG_DIR),
            { host: "/var/run/docker.sock", container: "/var/run/docker.sock" },
            { host: "/sys/fs/cgroup", container: "/sys/fs/cgroup" },
        ],
        files: [
            ...(t.authentication ? [configFile(t, host, "mesos-agent", CREDENTIAL, agentCredential())] : []),
            ...(t.registry?.auth ? [configFile(t, host, "mesos-agent", DOCKER_CONFIG, secretFile(REGISTRY_DOCKER_CONFIG))] : []),
        ],
        health: httpHealth(t, [`http://${host.address}:${t.ports.agent}/slave(1)/health`]),
        ports: portsOf(t, "mesos-agent", host),
        // The Docker and Mesos containerizers manage cgroups and namespaces of the host.
        privileged: true,
        pidHost: true,
    };
}

/** A Mesos agent that runs tasks with the docker and mesos containerizers. */
export class MesosAgent extends ServiceComponent {
    constructor(name: string, args: ServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mesos:agent:MesosAgent", name, mesosAgentSpec(args.topology, args.host), args, opts);
    }
}
