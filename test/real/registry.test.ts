import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { service } from "../../components/services";
import { Evaluation, ROOT, evaluate, mockPassword, plain, secretKeys, stackConfig } from "../harness";
import { docker, engineAvailable, runArgs, tryDocker, waitFor } from "./docker";

// The project's registry image (Debian's docker-registry), built for real and run with exactly
// the container inputs the program emits: plain HTTP as in the dev stack, and TLS with a
// generated login as in the prod stack. Images are pushed and pulled with this machine's engine.
const suite = engineAvailable() ? describe : describe.skip;

/** HTTP status of a GET, by curl (the registry's own client-facing behaviour). */
function status(url: string, extra: string[] = []): number {
    const r = spawnSync("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", ...extra, url], { encoding: "utf8", timeout: 10_000 });
    return Number(r.stdout);
}

suite("the registry image, built and run for real", () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "registry-real-"));
    const image = `mesos-cluster/registry:${service("registry").version}`;
    const started: string[] = [];
    const tags: string[] = [];
    const figures: Record<string, string> = {};

    const configFor = (address: string, extra: Record<string, string> = {}) => ({
        ...stackConfig("dev"),
        "mesos-cluster:masters": JSON.stringify([`solo=${address}`]),
        "mesos-cluster:agents": JSON.stringify(["solo"]),
        "mesos-cluster:bambooHosts": "[]",
        "mesos-cluster:registryHost": "solo",
        ...extra,
    });

    function start(e: Evaluation, root: string): string {
        const c = e.byName("mesos-registry-solo-container");
        docker(runArgs(c, image, root));
        started.push(c.inputs.name);
        return c.inputs.name;
    }

    /** Tags the base image as `ref` (a tiny image every engine here has). */
    function tag(ref: string) {
        docker(["tag", "debian:bookworm-slim", ref]);
        tags.push(ref);
    }

    beforeAll(() => {
        const t0 = Date.now();
        docker(["build", "--network", "host", "-q", "-t", image, path.join(ROOT, "images", "registry")], 600_000);
        figures["image build (s)"] = ((Date.now() - t0) / 1000).toFixed(1);
        // The version the program pins is the one Debian's package installs.
        expect(docker(["run", "--rm", "--entrypoint", "docker-registry", image, "--version"])).toContain(` ${service("registry").version}+`);
    }, 620_000);

    afterAll(() => {
        for (const name of started) {
            tryDocker(["rm", "-f", name]);
        }
        for (const ref of tags) {
            tryDocker(["rmi", ref]);
        }
        // The registries' data was written by root inside the containers.
        fs.rmSync(work, { recursive: true, force: true });
        console.log(`Registry image figures: ${JSON.stringify(figures)}`);
    });

    test("plain HTTP (the dev layout): serves a pushed image, keeps it across a restart, passes its own health check", async () => {
        const address = "127.0.0.51";
        const e = await evaluate(configFor(address));
        const root = path.join(work, "plain");
        let name = start(e, root);
        const base = `http://${address}:5000`;
        expect(e.outputs.registryAddress).toBe(`${address}:5000`);
        await waitFor("the registry to answer", 30_000, () => (status(`${base}/`) === 200 ? true : undefined), () => tryDocker(["logs", "--tail", "5", name]).output);
        // The container's health check, as Docker runs it.
        const check = e.byName("mesos-registry-solo-container").inputs.healthcheck.tests.slice(1);
        expect(tryDocker(["exec", name, ...check]).status).toBe(0);

        const ref = `${address}:5000/mesos-cluster/probe:1`;
        tag(ref);
        const t0 = Date.now();
        docker(["push", ref], 120_000);
        figures["push of a 150 MB image (s)"] = ((Date.now() - t0) / 1000).toFixed(1);
        docker(["rmi", ref]);
        docker(["pull", ref], 120_000);
        expect(JSON.parse(execFileSync("curl", ["-s", `${base}/v2/_catalog`], { encoding: "utf8" })).repositories).toEqual(["mesos-cluster/probe"]);

        // A new container over the same data volume still serves the image.
        docker(["rm", "-f", name]);
        name = start(e, root);
        await waitFor("the registry to answer again", 30_000, () => (status(`${base}/`) === 200 ? true : undefined));
        docker(["rmi", ref]);
        docker(["pull", ref], 120_000);
        const data = plain(e.byName("mesos-registry-solo-container").inputs.volumes)[0];
        expect(data.containerPath).toBe("/var/lib/registry");
        expect(fs.readdirSync(path.join(root, data.hostPath, "docker", "registry", "v2", "repositories", "mesos-cluster"))).toEqual(["probe"]);
        docker(["rm", "-f", name]);
    }, 300_000);

    test("TLS and a login (the prod layout): anonymous requests refused, the program's generated login accepted", async () => {
        const address = "127.0.0.52";
        const dir = path.join(work, "tls");
        fs.mkdirSync(dir, { recursive: true });
        const [cert, key] = [path.join(dir, "tls.crt"), path.join(dir, "tls.key")];
        execFileSync("openssl", [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-subj", `/CN=${address}`, "-addext", `subjectAltName=IP:${address}`, "-keyout", key, "-out", cert,
        ], { stdio: "ignore" });
        const config = configFor(address, {
            "mesos-cluster:registryAuth": "true",
            "mesos-cluster:registryTlsCertificate": fs.readFileSync(cert, "utf8"),
            "mesos-cluster:registryTlsKey": fs.readFileSync(key, "utf8"),
        });
        const e = await evaluate(config, "test", secretKeys());
        const name = start(e, path.join(dir, "root"));
        const base = `https://${address}:5000`;
        const ca = ["--cacert", cert];
        await waitFor("the registry to answer over TLS", 30_000, () => (status(`${base}/`, ca) === 200 ? true : undefined), () => tryDocker(["logs", "--tail", "5", name]).output);
        expect(tryDocker(["exec", name, ...e.byName("mesos-registry-solo-container").inputs.healthcheck.tests.slice(1)]).status).toBe(0);
        // Plain HTTP is not served at all.
        expect(status(`http://${address}:5000/v2/`)).toBe(400);

        const password = mockPassword("mesos-registry-password", 32);
        expect(plain(e.outputs.registryPassword)).toBe(password);
        expect(status(`${base}/v2/`, ca)).toBe(401);
        expect(status(`${base}/v2/`, [...ca, "-u", `mesos-cluster:wrong-${password}`])).toBe(401);
        expect(status(`${base}/v2/`, [...ca, "-u", `mesos-cluster:${password}`])).toBe(200);
        // The password never reaches the container's environment or command line.
        const inspect = docker(["inspect", name]);
        expect(inspect).not.toContain(password);
        expect(docker(["exec", name, "cat", "/run/registry/htpasswd"])).toMatch(/^mesos-cluster:\$2y\$/);

        // The Docker client config the agents (and the systemd runtime's pulls) get.
        const login = path.join(dir, "login");
        fs.mkdirSync(login);
        const agentFiles = plain(e.byName("mesos-agent-solo-container").inputs.uploads) as { file: string; content: string }[];
        fs.writeFileSync(path.join(login, "config.json"), agentFiles.find((u) => u.file === "/etc/mesos/docker-config.json")!.content, { mode: 0o600 });
        const anonymous = path.join(dir, "anonymous");
        fs.mkdirSync(anonymous);
        const ref = `${address}:5000/mesos-cluster/probe:2`;
        tag(ref);
        const refused = tryDocker(["--config", anonymous, "push", ref], 120_000);
        expect(refused.status).not.toBe(0);
        expect(refused.output).toMatch(/no basic auth credentials|unauthorized/);
        docker(["--config", login, "push", ref], 120_000);
        docker(["rmi", ref]);
        expect(tryDocker(["--config", anonymous, "pull", ref], 120_000).status).not.toBe(0);
        docker(["--config", login, "pull", ref], 120_000);
    }, 300_000);
});
