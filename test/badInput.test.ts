import { TEST_PRIVATE_KEY, evaluateFailure, secretKeys, stackConfig } from "./harness";

// Every bad configuration is refused before the first resource is registered, with a message
// that names the key (and says how to fix it).

const K = (key: string) => `mesos-cluster:${key}`;
const json = (v: unknown) => JSON.stringify(v);
const three = ["m1=10.0.0.11", "m2=10.0.0.12", "m3=10.0.0.13"];

type Case = [description: string, change: Record<string, string | undefined>, message: RegExp, options?: { base?: string; secret?: string[] }];

const cases: Case[] = [
    ["an even master count", { [K("masters")]: json([...three, "m4=10.0.0.14"]) }, /mesos-cluster:masters: 4 masters given; the count must be odd/],
    ["no masters", { [K("masters")]: "[]" }, /mesos-cluster:masters: needs at least one master/],
    ["a duplicate master name", { [K("masters")]: json(["m1=10.0.0.11", "m1=10.0.0.12", "m3=10.0.0.13"]) }, /mesos-cluster:masters\[1\]: host "m1" is listed twice/],
    ["a duplicate address", { [K("masters")]: json(["m1=10.0.0.11", "m2=10.0.0.11", "m3=10.0.0.13"]) }, /mesos-cluster:masters: hosts "m1" and "m2" share address 10\.0\.0\.11/],
    ["an address out of range", { [K("masters")]: json(["m1=10.0.0.300"]) }, /mesos-cluster:masters\[0\]: "10\.0\.0\.300" is not an IPv4 address/],
    ["the unspecified address", { [K("masters")]: json(["m1=0.0.0.0", "m2=10.0.0.12", "m3=10.0.0.13"]) }, /mesos-cluster:masters\[0\]: "0\.0\.0\.0" is in 0\.0\.0\.0\/8, "this network"/],
    ["a multicast address", { [K("agents")]: json(["a1=224.0.0.251"]) }, /mesos-cluster:agents\[0\]: "224\.0\.0\.251" is a multicast address/],
    ["a loopback host beside routable ones", { [K("agents")]: json(["a1=127.0.0.1"]) }, /mesos-cluster:agents: host "a1" is on loopback address 127\.0\.0\.1 but "[a-z0-9]+" is not/],
    ["a host name for an address", { [K("agents")]: json(["a1=db.local"]) }, /mesos-cluster:agents\[0\]: "db\.local" is not an IPv4 address/],
    ["a master without an address", { [K("masters")]: json(["m1"]) }, /mesos-cluster:masters\[0\]: "m1" is not NAME=ADDRESS/],
    ["a host name with capitals", { [K("masters")]: json(["M1=10.0.0.11"]) }, /mesos-cluster:masters\[0\]: host name "M1" must be/],
    [
        "more than 255 ZooKeeper members",
        { [K("masters")]: json(Array.from({ length: 257 }, (_, i) => `m${i}=10.1.${i >> 8}.${i & 255}`)) },
        /mesos-cluster:masters: 257 masters given; ZooKeeper ids run 1\.\.255/,
    ],
    ["a container prefix of mesos-", { [K("containerPrefix")]: "mesos-" }, /mesos-cluster:containerPrefix: "mesos-" makes container names start with "mesos-"/],
    ["two services on one port of one host", { [K("chronosPort")]: "8080" }, /mesos-cluster:chronosPort: chronos's port 8080 clashes with marathon's port 8080 \(mesos-cluster:marathonPort\)/],
    ["Marathon on the master's port", { [K("marathonPort")]: "5050" }, /mesos-cluster:marathonPort: marathon's port 5050 clashes with master's port 5050 \(mesos-cluster:masterPort\)/],
    ["the registry on the SSH port of the hosts' engines", { [K("registryPort")]: "22" }, /mesos-cluster:registryPort: registry's port 22 clashes with sshd's port 22 \(mesos-cluster:sshPort, where the program reaches the host over SSH\) on host "m1"/],
    ["Marathon on the systemd hosts' SSH port", { [K("sshPort")]: "2222", [K("marathonPort")]: "2222" }, /mesos-cluster:marathonPort: marathon's port 2222 clashes with sshd's port 2222 \(mesos-cluster:sshPort/, { base: "prod" }],
    ["an agent port among its task ports", { [K("agentPort")]: "31000" }, /mesos-cluster:agentTaskPorts: agent's ports 31000-32000 clashes with agent's port 31000 \(mesos-cluster:agentPort\)/],
    ["a reversed task port range", { [K("agentTaskPorts")]: "32000-31000" }, /mesos-cluster:agentTaskPorts: "32000-31000" is not a range/],
    ["a negative port", { [K("masterPort")]: "-1" }, /mesos-cluster:masterPort: must be a whole number from 1 to 65535/],
    ["negative CPUs", { [K("agentCpus")]: "-2" }, /mesos-cluster:agentCpus: must be 0 \(detect\) or a positive number of CPUs/],
    ["negative memory", { [K("agentMemoryMb")]: "-512" }, /mesos-cluster:agentMemoryMb: must be 0 \(detect\) or a positive number of MiB/],
    ["an unknown key", { [K("quorum")]: "1" }, /mesos-cluster:quorum: unknown key; remove it or check its spelling/],
    ["a number that is not one", { [K("marathonPort")]: "eighty" }, /mesos-cluster:marathonPort: must be a whole number from 1 to 65535/],
    ["a list that is not one", { [K("agents")]: "a1=10.0.0.21" }, /mesos-cluster:agents: must be a list of "name=address" strings/],
    ["a boolean that is not one", { [K("authentication")]: "yes" }, /mesos-cluster:authentication: must be true or false/],
    ["an unknown runtime", { [K("runtime")]: "nomad" }, /mesos-cluster:runtime: must be "docker" or "systemd"/],
    ["one local engine for several hosts", { [K("engine")]: "local" }, /mesos-cluster:engine: "local" runs every container on this machine's one Docker engine/],
    ["an agent that names no master", { [K("agents")]: json(["x9"]) }, /mesos-cluster:agents\[0\]: "x9" has no address and is not a master/],
    ["an agent on a master's name at another address", { [K("agents")]: json(["m1=10.0.0.99"]) }, /mesos-cluster:agents\[0\]: "m1" is a master at 10\.0\.0\.11 but listed here at 10\.0\.0\.99/],
    ["a relative data root", { [K("dataRoot")]: "data" }, /mesos-cluster:dataRoot: must be an absolute path/],
    ["a data root that leads out with ..", { [K("dataRoot")]: "/srv/../../etc" }, /mesos-cluster:dataRoot: must name each folder: no empty, '\.' or '\.\.' part/],
    ["a registry beginning with -, an option of docker run and docker pull", { [K("registry")]: "-x.example.com:5000" }, /mesos-cluster:registry: must be empty or a registry host\[:port\]\[\/path\] starting with a letter or digit/],
    ["a mail password beginning with -, an option of Chronos", { [K("chronosMailPassword")]: "-secret" }, /mesos-cluster:chronosMailPassword: begins with "-"/, { base: "prod" }],
    ["a duration Mesos cannot read", { [K("executorRegistrationTimeout")]: "5 minutes" }, /mesos-cluster:executorRegistrationTimeout: must be a Mesos duration/],
    ["attributes in the wrong form", { [K("agentAttributes")]: "rack=r1" }, /mesos-cluster:agentAttributes: must be "key:value;key:value"/],
    ["a registry URL instead of a host", { [K("registry")]: "https://registry.example.com" }, /mesos-cluster:registry: must be empty or a registry host\[:port\]/],
    ["an SSH user with a blank", { [K("sshUser")]: "ops team" }, /mesos-cluster:sshUser: must be a Unix user name/],
    ["an agent batch of no agents", { [K("agentBatchSize")]: "0" }, /mesos-cluster:agentBatchSize: must be a number of agents \("5"\) or a percentage of them \("10%"\)/],
    ["an agent batch over 100%", { [K("agentBatchSize")]: "150%" }, /mesos-cluster:agentBatchSize: a percentage must be from 1% to 100%/],
    ["an agent batch that is not a size", { [K("agentBatchSize")]: "half" }, /mesos-cluster:agentBatchSize: must be a number of agents/],
    ["an unknown log level", { [K("logLevel")]: "DEBUG" }, /mesos-cluster:logLevel: must be INFO, WARNING or ERROR/],
    ["the systemd runtime without an SSH key", { [K("sshPrivateKey")]: undefined }, /mesos-cluster:sshPrivateKey: the systemd runtime reaches its hosts over SSH and needs a key; set it with `pulumi config set --secret sshPrivateKey < KEYFILE`/, { base: "prod" }],
    ["an SSH key in plain text", {}, /mesos-cluster:sshPrivateKey: is stored in plain text; remove it \(pulumi config rm sshPrivateKey\) and set it again with `pulumi config set --secret sshPrivateKey`/, { base: "prod", secret: [] }],
    ["an SSH key that is not a key", { [K("sshPrivateKey")]: "hunter2" }, /mesos-cluster:sshPrivateKey: is not a private key/, { base: "prod" }],
    ["a mail user without its password", { [K("chronosMailPassword")]: undefined }, /mesos-cluster:chronosMailPassword: chronosMailUser is set, so Chronos needs the user's password/, { base: "prod" }],
    ["a mail password in plain text", {}, /mesos-cluster:chronosMailPassword: is stored in plain text/, { base: "prod", secret: [K("sshPrivateKey")] }],
    ["a mail password without a server", { [K("chronosMailServer")]: "", [K("chronosMailUser")]: "", [K("chronosMailFrom")]: "", [K("chronosMailSsl")]: "false" }, /mesos-cluster:chronosMailPassword: is set but mesos-cluster:chronosMailServer is empty/, { base: "prod" }],
    ["a mail server without a sender", { [K("chronosMailFrom")]: "" }, /mesos-cluster:chronosMailFrom: Chronos needs a sender address/, { base: "prod" }],
    ["mail over SSL to a port Chronos would not use", { [K("chronosMailServer")]: "smtp.example.com:587" }, /mesos-cluster:chronosMailServer: port 587 with mesos-cluster:chronosMailSsl, but Chronos over SSL connects to port 465/, { base: "prod" }],
    ["a mail server that is not host:port", { [K("chronosMailServer")]: "smtp.example.com" }, /mesos-cluster:chronosMailServer: must be empty or "host:port"/, { base: "prod" }],
    ["a Bamboo host that names no host", { [K("bambooHosts")]: json(["edge"]) }, /mesos-cluster:bambooHosts\[0\]: "edge" has no address and is not a master or agent; write it as "edge=ADDRESS"/],
    ["a Bamboo host on an agent's name at another address", { [K("bambooHosts")]: json(["a1=10.0.0.99"]) }, /mesos-cluster:bambooHosts\[0\]: "a1" is a master or agent at 10\.0\.0\.21 but listed here at 10\.0\.0\.99; write just "a1" to run Bamboo on that host/],
    ["an edge host on a master's address", { [K("bambooHosts")]: json(["e1=10.0.0.11"]) }, /mesos-cluster:bambooHosts: hosts "m1" and "e1" share address 10\.0\.0\.11/],
    ["HAProxy on Marathon's port", { [K("bambooHosts")]: json(["m1"]), [K("haproxyHttpPort")]: "8080" }, /mesos-cluster:haproxyHttpPort: bamboo's port 8080 clashes with marathon's port 8080 \(mesos-cluster:marathonPort\) on host "m1"/],
    ["Bamboo's own port (behind its login) on Marathon's port", { [K("bambooHosts")]: json(["m1"]), [K("bambooLocalPort")]: "8080" }, /mesos-cluster:bambooLocalPort: bamboo's port 8080 clashes with marathon's port 8080 \(mesos-cluster:marathonPort\) on host "m1"/],
    ["Bamboo's own port on its front's", { [K("bambooLocalPort")]: "8000" }, /mesos-cluster:bambooLocalPort: bamboo's port 8000 clashes with bamboo's port 8000 \(mesos-cluster:bambooPort\) on hosts "e1", "e2"/],
    ["service ports over an agent's task ports", { [K("bambooHosts")]: json(["a1", "a2"]), [K("servicePorts")]: "30000-31000" }, /mesos-cluster:servicePorts: bamboo's ports 30000-31000 clashes with agent's ports 31000-32000 \(mesos-cluster:agentTaskPorts\) on hosts "a1", "a2"/],
    ["a reversed service port range", { [K("servicePorts")]: "20000-10000" }, /mesos-cluster:servicePorts: "20000-10000" is not a range/],
    ["the registry on ZooKeeper's port", { [K("registryPort")]: "2181" }, /mesos-cluster:registryPort: registry's port 2181 clashes with zookeeper's port 2181 \(ZooKeeper client port \(fixed\)\) on host "m1"/],
    ["the registry on an unknown host", { [K("registryHost")]: "r9" }, /mesos-cluster:registryHost: "r9" has no address and is not a host of the cluster/],
    ["an outside registry and the cluster's own", { [K("registry")]: "registry.example.com:5000" }, /mesos-cluster:registry: "registry\.example\.com:5000" is an outside registry, but mesos-cluster:registryHost runs the cluster's own/],
    ["registry authentication without TLS", { [K("registryAuth")]: "true" }, /mesos-cluster:registryAuth: a password sent over plain HTTP can be read on the wire, so authentication needs TLS/],
    ["registry settings without a registry", { [K("registryHost")]: "", [K("registryAuth")]: "true" }, /mesos-cluster:registryAuth: is set but mesos-cluster:registryHost is empty/],
    ["a registry certificate that is not one", { [K("registryTlsCertificate")]: "my cert" }, /mesos-cluster:registryTlsCertificate: must be empty or a PEM certificate chain/],
    ["a registry certificate without its key", { [K("registryTlsKey")]: undefined }, /mesos-cluster:registryTlsKey: registryTlsCertificate is set, so the registry needs its private key; set it with `pulumi config set --secret registryTlsKey < KEYFILE`/, { base: "prod" }],
    ["a registry key that is not a key", { [K("registryTlsKey")]: "hunter2" }, /mesos-cluster:registryTlsKey: is not a private key/, { base: "prod" }],
    ["a registry key in plain text", {}, /mesos-cluster:registryTlsKey: is stored in plain text/, { base: "prod", secret: [K("sshPrivateKey"), K("chronosMailPassword")] }],
];

test("the table covers at least 25 distinct bad inputs", () => {
    expect(new Set(cases.map(([d]) => d)).size).toBe(cases.length);
    expect(cases.length).toBeGreaterThanOrEqual(25);
});

describe.each(cases)("refused: %s", (_, change, message, options = {}) => {
    test("with a message naming the key, and no resource registered", async () => {
        const config: Record<string, string> = { ...stackConfig(options.base ?? "ha") };
        for (const [k, v] of Object.entries(change)) {
            if (v === undefined) {
                delete config[k];
            } else {
                config[k] = v;
            }
        }
        const { error, registered } = await evaluateFailure(config, options.secret ?? secretKeys());
        // The program runs in its own module registry, so its ConfigError is another class object.
        expect(error.name).toBe("ConfigError");
        expect(error.message).toMatch(message);
        expect(registered).toBe(0);
        // Refusals never echo a secret back.
        expect(error.message).not.toContain(TEST_PRIVATE_KEY.split("\n")[1]);
    });
});
