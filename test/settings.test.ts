import * as pulumi from "@pulumi/pulumi";
import { parseConfig } from "../components/config";
import { clusterArgs } from "../components/settings";
import { buildTopology } from "../components/composition";
import { TEST_SECRETS, evaluate, isSecret, lastStackTraceLimit, plain, secretKeys, stackConfig } from "./harness";

// What index.ts hands the cluster for a stack: the runtime's settings, and only the secrets the
// stack calls for, each read as a secret.

function argsFor(stack: string) {
    const raw = stackConfig(stack);
    const config = parseConfig(raw, { secretKeys: new Set(secretKeys()) });
    const read: string[] = [];
    const args = clusterArgs(config, buildTopology(config), (key) => {
        read.push(key);
        return pulumi.secret(TEST_SECRETS[`mesos-cluster:${key}`]);
    });
    return { args, read, raw };
}

test("docker stacks: the engine settings, images published to the cluster's registry for hosts' own engines, and no SSH key read", () => {
    const { args, read, raw } = argsFor("ha");
    const registry = `${raw["mesos-cluster:masters"].match(new RegExp(`${raw["mesos-cluster:registryHost"]}=([0-9.]+)`))![1]}:5000`;
    expect(args.runtime).toEqual({ kind: "docker", engine: "ssh", sshUser: "deploy", sshPort: 22, imagesDir: "images", publish: { registry, username: undefined } });
    expect(read).toEqual([]);
    expect(args.secrets).toEqual({ chronosMailPassword: undefined, registryTlsKey: undefined });
    // On the local engine every host shares the images built there: nothing to publish.
    expect(argsFor("dev").args.runtime).toMatchObject({ kind: "docker", engine: "local", publish: undefined });
});

test("systemd with the cluster's registry and a login: the key, the registry, its user, pushes, and the stack's secrets", () => {
    const { args, read, raw } = argsFor("prod");
    const registry = `${raw["mesos-cluster:registryHost"].split("=")[1]}:${raw["mesos-cluster:registryPort"]}`;
    expect(args.runtime).toMatchObject({ kind: "systemd", sshUser: "deploy", sshPort: 22, registry, registryLogin: { username: "mesos-cluster" }, push: { imagesDir: "images" } });
    expect(read.sort()).toEqual(["chronosMailPassword", "registryTlsKey", "sshPrivateKey"]);
    expect(args.secrets.chronosMailPassword).toBeDefined();
    expect(args.secrets.registryTlsKey).toBeDefined();
});

test("systemd with an outside registry: pulls from it, no login, nothing pushed", () => {
    const { args } = argsFor("e2e");
    expect(args.runtime).toMatchObject({ kind: "systemd", registry: "127.0.0.13:5000", registryLogin: undefined });
    const raw = { ...stackConfig("e2e"), "mesos-cluster:registryHost": "", "mesos-cluster:registry": "registry.example.com:5000" };
    const config = parseConfig(raw, { secretKeys: new Set(secretKeys()) });
    const outside = clusterArgs(config, buildTopology(config), (key) => pulumi.secret(TEST_SECRETS[`mesos-cluster:${key}`]));
    expect(outside.runtime).toMatchObject({ kind: "systemd", registry: "registry.example.com:5000", registryLogin: undefined, push: undefined });
});

describe("stack traces during the run", () => {
    const saved = process.env.PULUMI_DEBUG_PROMISE_LEAKS;
    afterEach(() => {
        if (saved === undefined) {
            delete process.env.PULUMI_DEBUG_PROMISE_LEAKS;
        } else {
            process.env.PULUMI_DEBUG_PROMISE_LEAKS = saved;
        }
    });

    test("are off for the rest of the program's run (the SDK's leak traces cost a fifth of a large preview)", async () => {
        delete process.env.PULUMI_DEBUG_PROMISE_LEAKS;
        await evaluate(stackConfig("dev"), "dev");
        expect(lastStackTraceLimit).toBe(0);
        // ... and the test process has them back.
        expect(Error.stackTraceLimit).toBeGreaterThan(0);
    });

    test("stay on when PULUMI_DEBUG_PROMISE_LEAKS asks for them", async () => {
        process.env.PULUMI_DEBUG_PROMISE_LEAKS = "1";
        await evaluate(stackConfig("dev"), "dev");
        expect(lastStackTraceLimit).toBe(Error.stackTraceLimit);
        expect(lastStackTraceLimit).toBeGreaterThan(0);
    });
});

test("docker with engines of their own and a registry login: every host's engine pulls the published images with the generated password, as a secret", async () => {
    const prod = stackConfig("prod");
    const config = {
        ...stackConfig("ha"),
        "mesos-cluster:registryAuth": "true",
        "mesos-cluster:registryTlsCertificate": prod["mesos-cluster:registryTlsCertificate"],
        "mesos-cluster:registryTlsKey": TEST_SECRETS["mesos-cluster:registryTlsKey"],
    };
    const e = await evaluate(config, "ha");
    const password = plain(e.byName("mesos-registry-password").outputs.result);
    const engines = e.ofType("pulumi:providers:docker").filter((p) => p.name !== "mesos-builder");
    expect(engines.length).toBeGreaterThan(1);
    for (const engine of engines) {
        expect(isSecret(engine.inputs.registryAuth)).toBe(true);
        expect(JSON.parse(plain(engine.inputs.registryAuth))).toEqual([{ address: "10.0.0.11:5000", username: "mesos-cluster", password }]);
    }
    // The pushes log in with the same password; the password is in no container's inputs.
    for (const push of e.resources.filter((r) => r.name.startsWith("mesos-push-"))) {
        expect(plain(push.inputs.registry)).toMatchObject({ server: "10.0.0.11:5000", username: "mesos-cluster", password });
    }
    for (const c of e.ofType("docker:index/container:Container")) {
        expect(JSON.stringify(plain(c.inputs.command))).not.toContain(password);
        expect(JSON.stringify(plain(c.inputs.envs))).not.toContain(password);
    }
});
