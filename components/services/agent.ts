import { ServiceDescriptor } from "../service";
import { ServiceSpec, secretRef } from "../spec";
import { Host, Topology, dataRootOf } from "../topology/types";
import { AGENT_JWT_KEY, REGISTRY_DOCKER_CONFIG, agentCredential, agentHttpCredentials, operatorLogin } from "./credentials";
import { bashBasicAuth, configFile, dataVolume, httpHealth, keyPort, keyRange, libprocessEnv, specBase } from "./common";
import { MESOS_VERSION } from "./master";
import { registryUrl } from "./registry";

const NAME = "agent";
const LOG_DIR = "/var/log/mesos";
const CREDENTIAL = "/etc/mesos/credential.json";
/** The operator's login for the agent's HTTP endpoints. */
const HTTP_CREDENTIALS = "/etc/mesos/http-credentials.json";
/** The key the agent signs its executors' tokens with. */
const JWT_KEY = "/etc/mesos/jwt-secret-key";
const DOCKER_CONFIG = "/etc/mesos/docker-config.json";
/** The operator's `user:password`, for the readiness check's requests to read-only endpoints. */
const CHECK_LOGIN = "/etc/mesos/operator-login";
/** Completed by the runtime with the reference of the image the agent runs (see argsFor). */
const SELF_IMAGE_FLAG = "--docker_mesos_image=";

/** An address and port to ask. */
interface Endpoint {
    readonly address: string;
    readonly port: number;
}

/**
 * Whether the leading master lists this agent as active: the agent answers /slave(1)/health
 * before it has registered, and a restarted agent is listed, inactive, until it registers again.
 * So: the agent's id from its /slave(1)/state ("" until a master gave it one; apache/mesos 1.7.1
 * src/slave/http.cpp, the state's "id"), then each master's /master/slaves?slave_id=ID until one
 * answers 200 with "active":true (non-leading masters redirect, 307; src/master/http.cpp SLAVES_HELP,
 * slave_id). Agents' `slave/registered` metric is no help: it is 1 once a master is merely detected
 * (src/slave/slave.hpp _registered). Bash alone, as bashHttpCheck; with `loginFile`, the operator's
 * login (the read-only endpoints need it) read from that file, in no argument.
 */
export function bashAgentRegistered(agent: Endpoint, masters: readonly Endpoint[], loginFile?: string): string {
    const { readLogin, header, loginArg } = bashBasicAuth(loginFile);
    const get = (address: string, port: number, target: string) =>
        `{ exec 3<>/dev/tcp/${address}/${port} && printf 'GET %s HTTP/1.0\\r\\nHost: ${address}\\r\\n${header}\\r\\n' "${target}"${loginArg} >&3 && timeout 5 cat <&3 | head -c 65536 | tr -d '\\r'; }`;
    const listed = masters.map((m) => `${get(m.address, m.port, "/master/slaves?slave_id=$id")} | awk 'NR==1 { ok = ($2 == "200") } /"active":true/ { active = 1 } END { exit !(ok && active) }'`);
    return (
        `${readLogin}id=$(${get(agent.address, agent.port, "/slave(1)/state")} | awk -F '"id":"' 'NF > 1 { split($2, v, "\\""); print v[1]; exit }') && ` +
        // An id is letters, digits and dashes: nothing else goes into a request line.
        `case "$id" in ''|*[!A-Za-z0-9-]*) exit 1 ;; esac && ` +
        `{ ${listed.join(" || ")}; }`
    );
}

/** `cpus:N;mem:M;ports:[a-b]`: what the agent offers; cpus and mem only where configured. */
function resources(t: Topology): string {
    const { agentCpus, agentMemoryMb } = t.config;
    const { first, last } = t.ranges.agentTasks;
    return [...(agentCpus > 0 ? [`cpus:${agentCpus}`] : []), ...(agentMemoryMb > 0 ? [`mem:${agentMemoryMb}`] : []), `ports:[${first}-${last}]`].join(";");
}

/** Ready: healthy, and listed as active by the leading master (bashAgentRegistered). */
function agentHealth(t: Topology, host: Host): ServiceSpec["health"] {
    const c = t.config;
    const login = c.authentication && c.readonlyAuthentication ? CHECK_LOGIN : undefined;
    const registered = bashAgentRegistered(
        { address: host.address, port: c.agentPort },
        t.masters.map((m) => ({ address: m.address, port: c.masterPort })),
        login,
    );
    return httpHealth(t, host, [{ port: c.agentPort, path: "/slave(1)/health" }], [registered]);
}

function spec(t: Topology, host: Host): ServiceSpec {
    const c = t.config;
    // The host's Docker daemon mounts task sandboxes by host path, so the work_dir must be
    // the same path inside the agent's container and on the host.
    const work = dataVolume(t, host, NAME, "work", `${dataRootOf(t, host)}/${NAME}/work`);
    // What the agent keeps of its containers while it runs (their pids, the containerizers'
    // state): "must persist across crashes" for recovery (docs/configuration/agent.md at 1.7.1),
    // so on the host rather than in the agent's container, which a restart replaces.
    const runtime = dataVolume(t, host, NAME, "run", `${dataRootOf(t, host)}/${NAME}/run`);
    const args = [
        ...(c.agentAttributes === "" ? [] : [`--attributes=${c.agentAttributes}`]),
        // The operator APIs (kill or launch containers, read and write sandboxes) need the
        // operator's login, the read-only ones too unless the stack says otherwise;
        // /slave(1)/health stays open (src/slave/http.cpp at 1.7.1). HTTP executors (the
        // default executor's task groups) call the agent's API too, so they authenticate with
        // tokens the agent signs (--authenticate_http_executors, --jwt_secret_key), as Mesos's
        // docs/authentication.md says they must once read-write endpoints need a login. Those
        // two flags exist only in builds with SSL support (slave/flags.cpp, USE_SSL_SOCKET): a
        // public log of mesosphere/mesos-slave:1.5.1-rc1 lists --authenticate_http_executors
        // among its flags at startup, and Mesosphere's packages, which its images install, are
        // built with SSL since 2016 (d2iq-archive/mesos-deb-packaging#78, #79); not run here.
        ...(c.authentication ? ["--authenticate_http_executors"] : []),
        ...(c.authentication && c.readonlyAuthentication ? ["--authenticate_http_readonly"] : []),
        ...(c.authentication ? ["--authenticate_http_readwrite"] : []),
        "--containerizers=docker,mesos",
        ...(c.authentication ? [`--credential=${CREDENTIAL}`] : []),
        // Docker executors run in containers of the agent's own image, beside the agent rather
        // than inside its container: they, and their tasks, outlive a restart of the agent.
        SELF_IMAGE_FLAG,
        // Tasks' images: the registry login, for the Docker and Mesos containerizers.
        ...(t.registry?.auth ? [`--docker_config=${DOCKER_CONFIG}`] : []),
        // Where the Mesos containerizer pulls images named without a registry.
        // (the docker image provider, which needs the filesystem/linux and docker/runtime isolators).
        ...(t.registry === undefined ? [] : [`--docker_registry=${registryUrl(t.registry)}`]),
        `--executor_registration_timeout=${c.executorRegistrationTimeout}`,
        `--hostname=${host.address}`,
        ...(c.authentication ? [`--http_credentials=${HTTP_CREDENTIALS}`] : []),
        ...(t.registry === undefined ? [] : ["--image_providers=docker"]),
        `--ip=${host.address}`,
        // cgroups: tasks get the CPU and memory they asked for, and no more. On a cgroup v2 host the
        // image's entrypoint runs Docker tasks only, with posix isolation (images/agent/entrypoint.sh).
        `--isolation=${["cgroups/cpu", "cgroups/mem", ...(t.registry === undefined ? [] : ["filesystem/linux", "docker/runtime"])].join(",")}`,
        ...(c.authentication ? [`--jwt_secret_key=${JWT_KEY}`] : []),
        `--log_dir=${LOG_DIR}`,
        `--logging_level=${c.logLevel}`,
        `--master=${t.mesosZkUrl}`,
        // In a container the agent cannot delegate executors to systemd.
        "--no-systemd_enable_support",
        `--port=${c.agentPort}`,
        // After a restart, reattach to the executors that kept running: those of frameworks
        // that checkpoint, which Marathon and Chronos do by default (docs/agent-recovery.md).
        "--recover=reconnect",
        `--resources=${resources(t)}`,
        `--runtime_dir=${runtime.container}`,
        `--work_dir=${work.container}`,
    ];
    return {
        ...specBase(t, host, NAME, MESOS_VERSION),
        args,
        selfImageArg: args.indexOf(SELF_IMAGE_FLAG),
        env: libprocessEnv(host),
        volumes: [
            work,
            runtime,
            dataVolume(t, host, NAME, "log", LOG_DIR),
            { host: "/var/run/docker.sock", container: "/var/run/docker.sock" },
            { host: "/sys/fs/cgroup", container: "/sys/fs/cgroup" },
        ],
        files: [
            ...(c.authentication
                ? [
                      configFile(t, host, NAME, CREDENTIAL, agentCredential()),
                      configFile(t, host, NAME, HTTP_CREDENTIALS, agentHttpCredentials()),
                      // The whole file is the key (the agent reads it as it is): no newline.
                      configFile(t, host, NAME, JWT_KEY, secretRef(AGENT_JWT_KEY)),
                  ]
                : []),
            ...(c.authentication && c.readonlyAuthentication ? [configFile(t, host, NAME, CHECK_LOGIN, operatorLogin())] : []),
            ...(t.registry?.auth ? [configFile(t, host, NAME, DOCKER_CONFIG, secretRef(REGISTRY_DOCKER_CONFIG))] : []),
        ],
        health: agentHealth(t, host),
        // The Docker and Mesos containerizers manage cgroups and namespaces of the host.
        privileged: true,
        pidHost: true,
    };
}

/** A Mesos agent on every agent host, running tasks with the docker and mesos containerizers. */
export const agent: ServiceDescriptor = {
    name: NAME,
    type: "mesos:agent:MesosAgent",
    tier: 3,
    runsOn: "agents",
    rollout: "batches",
    ports: (c) => [keyPort(c, "agentPort"), keyRange(c, "agentTaskPorts")],
    version: MESOS_VERSION,
    upstream: { daemon: "mesos-agent", version: MESOS_VERSION, envPrefix: "MESOS_" },
    spec,
};
