import * as remote from "@pulumi/command/remote";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { Command, Container, DockerProvider, completeConnection } from "../components/runtimes/lean";
import { installMocks } from "./mocks";

// The lean classes stand in for @pulumi/docker's own in every preview and update, so the engine
// must receive the very request the generated class sends: same type, inputs (secrets
// included), property dependencies, options and plugin version. Only the name (and where in the
// source it was made) may differ.

const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs: () => Promise<void> };

type Request = Record<string, unknown>;
const requests = new Map<string, Request>();

beforeAll(async () => {
    await installMocks("mesos-cluster", "lean");
    const monitor = pulumi.runtime.getMonitor() as any;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: (err: any, resp: any) => void) => {
        requests.set(req.getName(), req.toObject());
        return register(req, callback);
    };
});

/** The request, without what only says which resource and where it was written. */
function comparable(name: string): Request {
    const req = requests.get(name);
    if (req === undefined) {
        throw new Error(`${name} was not registered`);
    }
    const rest = { ...req };
    for (const where of ["name", "sourceposition", "stacktrace"]) {
        delete rest[where];
    }
    return JSON.parse(JSON.stringify(rest).split(name).join("NAME"));
}

/** Registers both, then compares their requests; the registrations were acknowledged. */
async function same(make: (name: string, lean: boolean) => void, withInputs = true): Promise<void> {
    const tag = `r${requests.size}`;
    make(`${tag}-sdk`, false);
    make(`${tag}-lean`, true);
    await waitForRPCs();
    expect(comparable(`${tag}-lean`)).toEqual(comparable(`${tag}-sdk`));
    // The comparison has something to compare (or, asked for, nothing at all).
    const inputs = Object.keys((comparable(`${tag}-sdk`).object as { fieldsMap: unknown[] }).fieldsMap).length;
    expect(withInputs ? inputs > 0 : inputs === 0).toBe(true);
}

const secretPassword = pulumi.secret("s3cret-password");

test("a container: the same request as docker.Container's, with plain, secret and computed inputs and every option the runtime passes", async () => {
    const parent = new pulumi.ComponentResource("test:index:Parent", "parent", {});
    const engine = new docker.Provider("engine", { host: "ssh://deploy@10.0.0.1:22" });
    const before = new docker.Image("before", { imageName: "x/y:1", skipPush: true, build: { context: "." } }, { provider: engine });
    await same((name, lean) => {
        const args: docker.ContainerArgs = {
            name: "zookeeper",
            image: before.repoDigest,
            command: ["--flag=1", "--other"],
            envs: ["A=1", "B=2"],
            networkMode: "host",
            labels: [{ label: "mesos-cluster.service", value: "zookeeper" }],
            privileged: false,
            volumes: [{ hostPath: "/srv/a", containerPath: "/a", readOnly: true }],
            uploads: [{ file: "/etc/secret", content: secretPassword, permissions: "0600", owner: "0", group: "0" }],
            restart: "always",
            mustRun: true,
            healthcheck: { tests: ["CMD", "true"], interval: "5s", timeout: "5s", retries: 3, startPeriod: "10s" },
            wait: true,
            waitTimeout: 120,
        };
        const opts: pulumi.CustomResourceOptions = { parent, provider: engine, deleteBeforeReplace: true, dependsOn: [before] };
        if (lean) {
            new Container(name, args, opts);
        } else {
            new docker.Container(name, args, opts);
        }
    });
});

test("an engine: the same request as docker.Provider's, with and without a registry login", async () => {
    for (const registryAuth of [undefined, [{ address: "10.0.0.11:5000", username: "mesos-cluster", password: secretPassword }]]) {
        await same((name, lean) => {
            const args = { host: "ssh://deploy@10.0.0.2:22", registryAuth };
            if (lean) {
                new DockerProvider(name, args);
            } else {
                new docker.Provider(name, args);
            }
        });
    }
});

test("the local engine: no host falls back to DOCKER_HOST, as docker.Provider does", async () => {
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = "unix:///run/other.sock";
    try {
        await same((name, lean) => (lean ? new DockerProvider(name, {}) : new docker.Provider(name, {})));
        expect(JSON.stringify(requests.get([...requests.keys()].pop()!)!.object)).toContain("unix:///run/other.sock");
        // Set but empty counts as unset.
        process.env.DOCKER_HOST = "";
        await same((name, lean) => (lean ? new DockerProvider(name, {}) : new docker.Provider(name, {})), false);
    } finally {
        if (saved === undefined) {
            delete process.env.DOCKER_HOST;
        } else {
            process.env.DOCKER_HOST = saved;
        }
    }
});

test("a command: the same request as remote.Command's (connection completed and secret, triggers replace it)", async () => {
    const parent = new pulumi.ComponentResource("test:index:Parent", "command-parent", {});
    const before = new docker.Image("pushed", { imageName: "10.0.0.11:5000/x/y:1", build: { context: "." } });
    await same((name, lean) => {
        const args: remote.CommandArgs = {
            connection: { host: "10.0.0.21", port: 22, user: "deploy", privateKey: pulumi.secret("-----BEGIN KEY-----") },
            create: before.repoDigest.apply((ref) => `sh -c 'run' mesos-cluster ${ref}`),
            update: before.repoDigest.apply((ref) => `sh -c 'run' mesos-cluster ${ref}`),
            delete: "sh -c 'remove' mesos-cluster unit",
            stdin: pulumi.secret("0600 0 0 /etc/x c2VjcmV0\n"),
            triggers: ["10.0.0.21", "agent.service"],
            addPreviousOutputInEnv: false,
            logging: "none",
        };
        const opts: pulumi.CustomResourceOptions = { parent, dependsOn: [before], deleteBeforeReplace: true, additionalSecretOutputs: ["stdout", "stderr"] };
        if (lean) {
            new Command(name, args, opts);
        } else {
            new remote.Command(name, args, opts);
        }
    });
});

test.each([
    ["a secret key", () => pulumi.secret("-----BEGIN KEY-----")],
    ["a key not marked secret", () => pulumi.output("-----BEGIN KEY-----")],
])("commands sharing one completed connection, %s: each the same request as remote.Command's with the connection written out", async (_, makeKey) => {
    const key = makeKey();
    const shared = completeConnection(key.apply((privateKey) => ({ host: "10.0.0.22", port: 2222, user: "deploy", privateKey })));
    for (const unit of ["agent.service", "bamboo.service"]) {
        await same((name, lean) => {
            const args = (connection: remote.CommandArgs["connection"]): remote.CommandArgs => ({
                connection,
                create: `sh -c 'run' mesos-cluster ${unit}`,
                delete: "sh -c 'remove' mesos-cluster unit",
                stdin: pulumi.secret("0600 0 0 /etc/x c2VjcmV0\n"),
                triggers: ["10.0.0.22", unit],
                addPreviousOutputInEnv: false,
                logging: "none",
            });
            if (lean) {
                new Command(name, args(shared));
            } else {
                new remote.Command(name, args({ host: "10.0.0.22", port: 2222, user: "deploy", privateKey: key }));
            }
        });
    }
    // The defaults are in what was sent (the provider's dial settings), sent as a secret (the
    // SDK's secret signature wraps it).
    const sent = JSON.stringify(requests.get([...requests.keys()].pop()!)!.object);
    expect(sent).toContain("perDialTimeout");
    expect(sent).toContain('["connection",{"structValue":{"fieldsMap":[["4dabf18193072939515e22adb298388d"');
});
