import { SERVICES, service } from "../components/services";
import { Emitted, emitted } from "./emitted";
import { Evaluation, Registered, evaluate, isSecret, plain, stackConfig, stackNames } from "./harness";

// Expectations are worked out here from the stack file itself, not with the program's
// topology module, so that the two are checked against each other.
interface Expected {
    masters: { name: string; address: string }[];
    agents: { name: string; address: string }[];
    hosts: Map<string, string>;
    runtime: string;
    authentication: boolean;
    engine: string;
    sshUser: string;
    dataRoot: string;
    bamboo: { name: string; address: string }[];
    registry?: { name: string; address: string; tls: boolean; auth: boolean };
}

function expected(config: Record<string, string>): Expected {
    const entries = (key: string) => (JSON.parse(config[`mesos-cluster:${key}`] ?? "[]") as string[]).map((e) => e.split("="));
    const masters = entries("masters")
        .map(([name, address]) => ({ name, address }))
        .sort((a, b) => (a.name < b.name ? -1 : 1));
    const byName = new Map(masters.map((m) => [m.name, m.address]));
    const agents = entries("agents")
        .map(([name, address]) => ({ name, address: address ?? byName.get(name) ?? "" }))
        .sort((a, b) => (a.name < b.name ? -1 : 1));
    const known = new Map([...masters, ...agents].map((h) => [h.name, h.address]));
    const resolve = ([name, address]: string[]) => ({ name, address: address ?? known.get(name) ?? "" });
    const bamboo = entries("bambooHosts")
        .map(resolve)
        .sort((a, b) => (a.name < b.name ? -1 : 1));
    const registryEntry = config["mesos-cluster:registryHost"] ?? "";
    const registry =
        registryEntry === ""
            ? undefined
            : {
                  ...resolve(registryEntry.split("=")),
                  tls: (config["mesos-cluster:registryTlsCertificate"] ?? "") !== "",
                  auth: config["mesos-cluster:registryAuth"] === "true",
              };
    const hosts = new Map([...masters, ...agents, ...bamboo, ...(registry ? [registry] : [])].map((h) => [h.name, h.address]));
    return {
        masters,
        agents,
        hosts,
        runtime: config["mesos-cluster:runtime"],
        authentication: config["mesos-cluster:authentication"] === "true",
        engine: config["mesos-cluster:engine"],
        sshUser: config["mesos-cluster:sshUser"],
        dataRoot: config["mesos-cluster:dataRoot"],
        bamboo,
        registry,
    };
}

/** Images go through the cluster's registry: always on systemd hosts; on docker, when each host has its own engine. */
const publishes = (x: Expected) => x.registry !== undefined && (x.runtime === "systemd" || x.engine === "ssh");
/** The docker runtime builds this service's image on its host's engine (rather than pulling the published one). */
const builtOnHost = (x: Expected, label: string) => x.runtime === "docker" && (!publishes(x) || service(label).localImage === true);

/** The stack's data root on a host: `{host}` stands for the host's name. */
const rootOn = (x: Expected, host: string) => x.dataRoot.split("{host}").join(host);

const flag = (s: Emitted, name: string) => s.args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const env = (s: Emitted) => s.env;
const volumes = (s: Emitted) => s.volumes;

describe.each(stackNames())("stack %s under mocks", (stack) => {
    const config = stackConfig(stack);
    const x = expected(config);
    const zkHosts = x.masters.map((m) => `${m.address}:2181`).join(",");
    let e: Evaluation;
    let cluster: Registered;

    beforeAll(async () => {
        e = await evaluate(config, stack);
        cluster = e.byName("mesos");
        services = emitted(e);
    });

    let services: Emitted[];
    /** A ZooKeeper user's generated password, as the random provider gave it. */
    const zkPassword = (user: string) => plain(e.byName(`mesos-zookeeper-${user}`).outputs.result) as string;
    /** The operator's generated password, as the random provider gave it. */
    const operatorPassword = () => plain(e.byName("mesos-operator-password").outputs.result) as string;
    /** The content of a service's file that holds a `zk://USER:…` login. */
    const loginIn = (s: Emitted, user: string) => Object.values(s.files).find((f) => f.content.startsWith(`zk://${user}:`))?.content;
    const container = (label: string, host: string) => {
        const found = services.find((s) => s.label === label && s.host === host);
        if (found === undefined) {
            throw new Error(`no ${label} emitted on ${host}`);
        }
        return found;
    };
    const docker = x.runtime === "docker" ? test : test.skip;
    const systemd = x.runtime === "systemd" ? test : test.skip;

    test("one MesosCluster at the top", () => {
        expect(e.ofType("mesos:index:MesosCluster")).toHaveLength(1);
        expect(cluster.parent).toBe("");
    });

    test("one component per service per host, each the cluster's child, with its runtime's resources below it", () => {
        // Each service on the hosts of the list its descriptor names, as the stack file lists them.
        const lists: Record<string, { name: string }[]> = {
            masters: x.masters,
            agents: x.agents,
            bambooHosts: x.bamboo,
            registryHost: x.registry === undefined ? [] : [x.registry],
        };
        const placed: [string, string, string][] = SERVICES.flatMap((d) => lists[d.runsOn].map((h): [string, string, string] => [d.type, d.name, h.name]));
        const components = e.resources.filter((r) => r.type.startsWith("mesos:") && r.type !== "mesos:index:MesosCluster");
        expect(components.map((c) => c.name).sort()).toEqual(placed.map(([, label, host]) => `mesos-${label}-${host}`).sort());
        for (const [type, label, host] of placed) {
            const component = e.byName(`mesos-${label}-${host}`);
            expect(component.type).toBe(type);
            expect(component.parent).toBe(cluster.urn);
            const children = e.resources.filter((r) => r.parent === component.urn).map((r) => r.name);
            expect(children.sort()).toEqual(
                x.runtime === "systemd"
                    ? [`${component.name}-unit`]
                    : builtOnHost(x, label)
                      ? [`${component.name}-container`, `${component.name}-image`]
                      : [`${component.name}-container`],
            );
        }
        // docker: the cluster, a provider per host, and a component and container per service, with
        // an image built on the host unless it is published. systemd: the cluster, and a component
        // and a command per service. Publishing to the cluster's registry: a local engine provider
        // and one pushed image per image. Both: with authentication, three Mesos principals, four
        // ZooKeeper users (Mesos, Marathon, Chronos, Bamboo), the operator's login and the agents'
        // token key; one more for the registry's login; and always ZooKeeper's superuser.
        const credentials = 1 + (x.authentication ? 3 + 4 + 2 : 0) + (x.registry?.auth ? 1 : 0);
        const pushes = publishes(x) ? 1 + new Set(placed.map(([, label]) => label).filter((l) => !service(l).localImage)).size : 0;
        const built = placed.filter(([, label]) => builtOnHost(x, label)).length;
        expect(e.resources).toHaveLength(
            credentials + pushes + (x.runtime === "docker" ? 1 + x.hosts.size + 2 * placed.length + built : 1 + 2 * placed.length),
        );
        expect(services).toHaveLength(placed.length);
    });

    docker("one docker provider per host, reaching the engine the stack names", () => {
        const providers = e.ofType("pulumi:providers:docker");
        // Plus, where images are published, this machine's engine that builds them.
        const builder = publishes(x) ? ["mesos-builder"] : [];
        expect(providers.map((p) => p.name).sort()).toEqual([...builder, ...[...x.hosts.keys()].map((h) => `mesos-docker-${h}`)].sort());
        for (const p of providers.filter((x) => x.name !== "mesos-builder")) {
            expect(p.parent).toBe(cluster.urn);
            const address = x.hosts.get(p.name.replace("mesos-docker-", ""));
            expect(p.inputs.host).toBe(x.engine === "ssh" ? `ssh://${x.sshUser}@${address}:22` : undefined);
            // Engines that pull published images log in to the registry (the password a secret).
            if (publishes(x) && x.registry?.auth) {
                expect(isSecret(p.inputs.registryAuth)).toBe(true);
                expect(JSON.parse(plain(p.inputs.registryAuth))).toEqual([{ address: `${x.registry.address}:5000`, username: "mesos-cluster", password: expect.any(String) }]);
            } else {
                expect(p.inputs.registryAuth).toBeUndefined();
            }
        }
        const onHosts = [...e.ofType("docker:index/container:Container"), ...e.ofType("docker:index/image:Image")].filter((r) => !r.name.startsWith("mesos-push-"));
        for (const r of onHosts) {
            const host = r.name.split("-")[2];
            expect(r.provider).toMatch(new RegExp(`::mesos-docker-${host}::`));
        }
    });

    test("every service: host network, no mesos- name, unique names", () => {
        for (const s of services) {
            expect(s.network).toBe("host");
            expect(s.containerName).not.toMatch(/^mesos-/);
        }
        const names = services.map((s) => s.containerName);
        expect(new Set(names).size).toBe(names.length);
    });

    systemd("one remote.Command per service per host, to that host, with the stack's SSH settings", () => {
        for (const s of services) {
            const c = s.resource;
            // The connection carries the key, so the whole of it is secret.
            expect(isSecret(c.inputs.connection)).toBe(true);
            const connection = plain(c.inputs.connection);
            expect(connection.host).toBe(x.hosts.get(s.host));
            expect(connection.user).toBe(x.sshUser);
            expect(connection.port).toBe(22);
            // Only a move to another host replaces a unit; a new image is an update (see systemd.test.ts).
            expect(c.inputs.triggers).toEqual([x.hosts.get(s.host), `${s.containerName}.service`]);
            expect(c.deleteBeforeReplace).toBe(true);
        }
    });

    docker("containers: restart policy, sorted env, the image built on their host or published, replaced by deleting first", () => {
        for (const c of e.ofType("docker:index/container:Container")) {
            expect(c.inputs.restart).toBe("always");
            expect(c.inputs.envs).toEqual([...c.inputs.envs].sort());
            expect(c.deleteBeforeReplace).toBe(true);
            const label = c.name.split("-")[1];
            if (!builtOnHost(x, label)) {
                // The container runs the one copy pushed to the cluster's registry, by digest.
                const pushed = e.byName(`mesos-push-${label}`);
                expect(c.inputs.image).toMatch(new RegExp(`^${x.registry!.address.replace(/\./g, "\\.")}:5000/mesos-cluster/${label}@sha256:[0-9a-f]{64}$`));
                expect(c.dependencies).toContain(pushed.urn);
                expect(pushed.inputs.imageName).toBe(`${x.registry!.address}:5000/mesos-cluster/${label}:${pushed.inputs.imageName.split(":").pop()}`);
                continue;
            }
            // The container runs the image this stack built on its host.
            const image = e.byName(c.name.replace(/-container$/, "-image"));
            expect(c.inputs.image).toMatch(/^sha256:[0-9a-f]{64}$/);
            expect(c.dependencies).toContain(image.urn);
            expect(image.inputs.skipPush).toBe(true);
            expect(image.inputs.build.context).toMatch(/^images\/(zookeeper|master|agent|marathon|chronos|bamboo|registry)$/);
        }
    });

    test("every libmesos process binds and advertises its host's address", () => {
        for (const [label, hosts] of [
            ["master", x.masters],
            ["agent", x.agents],
            ["marathon", x.masters],
            ["chronos", x.masters],
        ] as const) {
            for (const h of hosts) {
                const c = container(label, h.name);
                expect(env(c).LIBPROCESS_IP).toBe(h.address);
                expect(flag(c, "hostname")).toBe(h.address);
                if (label === "master" || label === "agent") {
                    expect(flag(c, "ip")).toBe(h.address);
                }
            }
        }
    });

    test("ZooKeeper: ids by sorted name, identical server lines (participants, in the dynamic form), persistent data and membership", () => {
        const servers = x.masters.map((m, i) => `server.${i + 1}=${m.address}:2888:3888:participant;${m.address}:2181`).join(" ");
        x.masters.forEach((m, i) => {
            const c = container("zookeeper", m.name);
            expect(env(c).ZOO_MY_ID).toBe(String(i + 1));
            expect(env(c).ZOO_SERVERS).toBe(servers);
            expect(env(c).ZOO_ADMIN_SERVER_ENABLED).toBe("false");
            expect(volumes(c)).toContain(`${rootOn(x, m.name)}/zookeeper/data:/var/lib/zookeeper/data`);
            // ZooKeeper keeps the ensemble's membership beside zoo.cfg: it must outlive the container.
            expect(volumes(c)).toContain(`${rootOn(x, m.name)}/zookeeper/conf:/var/lib/zookeeper/conf`);
        });
    });

    test("masters: majority quorum, replicated log on a persistent work_dir", () => {
        for (const m of x.masters) {
            const c = container("master", m.name);
            expect(flag(c, "quorum")).toBe(String(Math.floor(x.masters.length / 2) + 1));
            // With authentication the masters log in to ZooKeeper, the URL read from a file.
            if (x.authentication) {
                expect(flag(c, "zk")).toBe("file:///etc/mesos/zk");
                expect(loginIn(c, "mesos")).toBe(`zk://mesos:${zkPassword("mesos")}@${zkHosts}/mesos`);
            } else {
                expect(flag(c, "zk")).toBe(`zk://${zkHosts}/mesos`);
            }
            expect(flag(c, "registry")).toBe("replicated_log");
            expect(volumes(c)).toContain(`${rootOn(x, m.name)}/master/work:${flag(c, "work_dir")}`);
        }
    });

    test("Mesos's HTTP endpoints: the operator's login on masters and agents, read-only endpoints too, HTTP executors with tokens", () => {
        const readonly = config["mesos-cluster:readonlyAuthentication"] !== "false";
        for (const m of x.masters) {
            const c = container("master", m.name);
            expect([c.args.includes("--authenticate_http_readwrite"), c.args.includes("--authenticate_http_readonly")]).toEqual([x.authentication, x.authentication && readonly]);
            if (x.authentication) {
                // The master's HTTP authenticator reads --credentials: the operator is one of its principals.
                const credentials = JSON.parse(c.files[flag(c, "credentials") as string].content).credentials;
                expect(credentials).toContainEqual({ principal: "operator", secret: operatorPassword() });
                expect(credentials.map((p: { principal: string }) => p.principal).sort()).toEqual(["chronos", "marathon", "mesos-agent", "operator"]);
            }
        }
        for (const a of x.agents) {
            const c = container("agent", a.name);
            const expectedFlags = x.authentication ? ["--authenticate_http_executors", ...(readonly ? ["--authenticate_http_readonly"] : []), "--authenticate_http_readwrite"] : [];
            expect(c.args.filter((f) => f.startsWith("--authenticate_http"))).toEqual(expectedFlags);
            if (x.authentication) {
                // The operator alone: no framework's or agent's secret opens an agent's HTTP API.
                expect(JSON.parse(c.files[flag(c, "http_credentials") as string].content)).toEqual({ credentials: [{ principal: "operator", secret: operatorPassword() }] });
                expect(c.files[flag(c, "jwt_secret_key") as string].content).toBe(plain(e.byName("mesos-agent-jwt-key").outputs.result));
                for (const f of [flag(c, "http_credentials"), flag(c, "jwt_secret_key")]) {
                    expect(c.files[f as string].mode).toBe("0600");
                }
            } else {
                expect([flag(c, "http_credentials"), flag(c, "jwt_secret_key")]).toEqual([undefined, undefined]);
            }
        }
    });

    test("agents: Docker's needs, work_dir at the same path, a long executor timeout", () => {
        for (const a of x.agents) {
            const c = container("agent", a.name);
            expect(flag(c, "master")).toBe(`zk://${zkHosts}/mesos`);
            expect(flag(c, "containerizers")).toBe("docker,mesos");
            expect(flag(c, "executor_registration_timeout")).toMatch(/^([5-9]|\d\d+)mins$/);
            expect(c.args).toContain("--no-systemd_enable_support");
            // Executors in containers of the agent's own image, beside it: tasks outlive its restart.
            expect(flag(c, "docker_mesos_image")).toBe(c.image);
            expect(c.args).toContain("--recover=reconnect");
            expect(flag(c, "isolation")?.split(",")).toEqual(expect.arrayContaining(["cgroups/cpu", "cgroups/mem"]));
            // A registry for tasks' images is used by the Mesos containerizer's docker provider only with its isolators.
            if (flag(c, "docker_registry") !== undefined) {
                expect(flag(c, "image_providers")).toBe("docker");
                expect(flag(c, "isolation")?.split(",")).toEqual(expect.arrayContaining(["filesystem/linux", "docker/runtime"]));
            }
            expect(c.privileged).toBe(true);
            expect(c.pidHost).toBe(true);
            const work = flag(c, "work_dir");
            expect(work).toBe(`${rootOn(x, a.name)}/agent/work`);
            // The containers' runtime state outlives the agent's container, for recovery.
            const run = flag(c, "runtime_dir");
            expect(run).toBe(`${rootOn(x, a.name)}/agent/run`);
            expect(volumes(c)).toEqual(
                expect.arrayContaining([`${work}:${work}`, `${run}:${run}`, "/var/run/docker.sock:/var/run/docker.sock", "/sys/fs/cgroup:/sys/fs/cgroup"]),
            );
        }
        for (const label of ["zookeeper", "master", "marathon", "chronos"]) {
            for (const m of x.masters) {
                expect(container(label, m.name).privileged).toBe(false);
            }
        }
    });

    test("Marathon and Chronos: their ZooKeeper forms and ports", () => {
        for (const m of x.masters) {
            const marathon = container("marathon", m.name);
            expect(flag(marathon, "master")).toBe(`zk://${zkHosts}/mesos`);
            if (x.authentication) {
                // Its entrypoint reads the login into MARATHON_ZK: no --zk as well.
                expect(flag(marathon, "zk")).toBeUndefined();
                expect(loginIn(marathon, "marathon")).toBe(`zk://marathon:${zkPassword("marathon")}@${zkHosts}/marathon`);
                expect(Object.values(container("chronos", m.name).files).map((f) => f.content)).toContain(`chronos:${zkPassword("chronos")}`);
            } else {
                expect(flag(marathon, "zk")).toBe(`zk://${zkHosts}/marathon`);
            }
            expect(flag(marathon, "http_port")).toBe("8080");
            // Their HTTP APIs need the operator's login: a file their entrypoints read into the
            // process's environment, and their readiness checks send. No flag carries it.
            for (const [s, file, uid] of [
                [marathon, "/etc/marathon/http-credentials", 65534],
                [container("chronos", m.name), "/etc/chronos/http-credentials", 0],
            ] as const) {
                const check = s.resource.type === "docker:index/container:Container" ? JSON.stringify(s.resource.inputs.healthcheck) : s.resource.inputs.create;
                if (x.authentication) {
                    expect(s.files[file]).toEqual({ mode: "0600", uid, gid: uid, content: `operator:${operatorPassword()}` });
                    expect(JSON.stringify(plain(check))).toContain(`base64 -w 0 < ${file}`);
                } else {
                    expect(s.files[file]).toBeUndefined();
                }
                expect(s.args.some((a) => a.startsWith("--http_credentials"))).toBe(false);
                expect(Object.keys(s.env).some((k) => /CREDENTIALS/.test(k))).toBe(false);
            }
            const chronos = container("chronos", m.name);
            expect(flag(chronos, "zk_hosts")).toBe(zkHosts);
            expect(flag(chronos, "master")).toBe(`zk://${zkHosts}/mesos`);
            // The image's start appends --http_port $PORT0 itself.
            expect(flag(chronos, "http_port")).toBeUndefined();
            expect(env(chronos).PORT0).not.toBe("8080");
            expect(env(chronos).PORT1).toBeDefined();
        }
    });

    test("outputs: ZooKeeper URL, quorum, every UI, the routers and the registry", () => {
        expect({ ...e.outputs, health: undefined, registryPassword: undefined, operatorPassword: undefined }).toEqual({
            health: undefined,
            registryPassword: undefined,
            operatorPassword: undefined,
            zookeeperUrl: `zk://${zkHosts}/mesos`,
            quorum: Math.floor(x.masters.length / 2) + 1,
            mesosUrls: x.masters.map((m) => `http://${m.address}:5050`),
            marathonUrls: x.masters.map((m) => `http://${m.address}:8080`),
            chronosUrls: x.masters.map((m) => `http://${m.address}:4400`),
            bambooUrls: x.bamboo.map((b) => `http://${b.address}:8000`),
            haproxyUrls: x.bamboo.map((b) => `http://${b.address}:80`),
            registryAddress: x.registry === undefined ? "" : `${x.registry.address}:5000`,
            ...(x.registry?.auth ? { registryUser: "mesos-cluster" } : {}),
            ...(x.authentication ? { operatorUser: "operator" } : {}),
        });
        if (x.authentication) {
            // The operator's login to every operator API; shown only with --show-secrets.
            expect(isSecret(e.outputs.operatorPassword)).toBe(true);
            expect(plain(e.outputs.operatorPassword)).toBe(operatorPassword());
        } else {
            expect(e.outputs.operatorPassword).toBeUndefined();
        }
        if (x.registry?.auth) {
            // The generated password, for `docker login`; shown only with --show-secrets.
            expect(isSecret(e.outputs.registryPassword)).toBe(true);
            expect(plain(e.outputs.registryPassword)).toMatch(/^[A-Za-z0-9]{32}$/);
        } else {
            expect(e.outputs.registryPassword).toBeUndefined();
        }
    });

    test("outputs: every service's health endpoints", () => {
        const health = e.outputs.health as { service: string; host: string; endpoints: string[] }[];
        const expectedHealth = [
            ...x.masters.flatMap((m) => [
                { service: "zookeeper", host: m.name, endpoints: [`zookeeper srvr ${m.address}:2181`] },
                { service: "master", host: m.name, endpoints: [`http://${m.address}:5050/master/health`] },
                { service: "marathon", host: m.name, endpoints: [`http://${m.address}:8080/ping`, `http://${m.address}:8080/v2/leader`] },
                { service: "chronos", host: m.name, endpoints: [`http://${m.address}:4400/ping`] },
            ]),
            ...x.agents.map((a) => ({ service: "agent", host: a.name, endpoints: [`http://${a.address}:5051/slave(1)/health`] })),
            ...x.bamboo.map((b) => ({ service: "bamboo", host: b.name, endpoints: [`http://${b.address}:8000/status`, `http://${b.address}:80/haproxy/stats`] })),
            ...(x.registry === undefined
                ? []
                : [{ service: "registry", host: x.registry.name, endpoints: [`${x.registry.tls ? "https" : "http"}://${x.registry.address}:5000/`] }]),
        ];
        const key = (h: { service: string; host: string }) => `${h.service}@${h.host}`;
        expect([...health].sort((a, b) => key(a).localeCompare(key(b)))).toEqual(expectedHealth.sort((a, b) => key(a).localeCompare(key(b))));
    });

    test("tiers and rolls: each member starts after every service of the tier below and after the member of its own service before it (agents: agentBatchSize before it), and nothing else", () => {
        // The resources that run services (container or command), by component name.
        const running = new Map(services.map((s) => [`mesos-${s.label}-${s.host}`, s.resource]));
        // One step per tier that has services: a tier with none on this stack is skipped.
        const tiers = [...new Set(services.map((s) => service(s.label).tier))].sort((a, b) => a - b);
        const tier = (label: string) => tiers.indexOf(service(label).tier);
        // A service's members roll in its hosts' name order: each after the one before, an agent
        // after the one agentBatchSize places before it (a count, or a percentage of the agents
        // rounded up; 10% by default).
        const size = config["mesos-cluster:agentBatchSize"] ?? "10%";
        const agentBatch = size.endsWith("%") ? Math.max(1, Math.ceil((x.agents.length * Number(size.slice(0, -1))) / 100)) : Number(size);
        const place = (s: Emitted) => services.filter((o) => o.label === s.label).map((o) => o.host).sort().indexOf(s.host);
        for (const s of services) {
            const deps = new Set(s.resource.dependencies);
            for (const other of services) {
                const other_ = running.get(`mesos-${other.label}-${other.host}`) as Registered;
                const component = e.byName(`mesos-${other.label}-${other.host}`);
                const dependsOnIt = deps.has(other_.urn) || deps.has(component.urn);
                const previousOfItsOwn = other.label === s.label && place(other) === place(s) - (s.label === "agent" ? agentBatch : 1);
                expect({ from: `${s.label}@${s.host}`, to: `${other.label}@${other.host}`, dependsOnIt }).toEqual({
                    from: `${s.label}@${s.host}`,
                    to: `${other.label}@${other.host}`,
                    dependsOnIt: tier(other.label) === tier(s.label) - 1 || previousOfItsOwn,
                });
            }
        }
    });
});

test("the repository has the dev and ha stacks", () => {
    expect(stackNames()).toEqual(expect.arrayContaining(["dev", "ha"]));
});

test("dev is one host on the local engine; ha is three masters and at least two agents over SSH", () => {
    const dev = expected(stackConfig("dev"));
    expect([dev.hosts.size, dev.masters.length, dev.agents.length, dev.engine]).toEqual([1, 1, 1, "local"]);
    const ha = expected(stackConfig("ha"));
    expect(ha.masters).toHaveLength(3);
    expect(ha.agents.length).toBeGreaterThanOrEqual(2);
    expect(ha.engine).toBe("ssh");
});
