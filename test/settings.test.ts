import * as pulumi from "@pulumi/pulumi";
import { parseConfig } from "../components/config";
import { clusterArgs } from "../components/settings";
import { buildTopology } from "../components/topology";
import { TEST_SECRETS, stackConfig, secretKeys } from "./harness";

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
