import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stackTopology } from "../../components/composition";
import { planDocker } from "../../components/drift/expected";
import { SERVICE_LABEL_KEY, ServiceSpec, fillTemplate, imageRef, secretsIn } from "../../components/spec";
import { checkDrift } from "../../scripts/drift";
import { readStackConfig } from "../../scripts/stackFile";
import { ROOT } from "../harness";
import { docker, engineAvailable, tryDocker, waitFor } from "./docker";

// npm run drift on the docker runtime, for real on this machine's engine: the dev stack's ZooKeeper
// and registry (the images of its set that build here), their containers made as DockerRuntime
// makes them (the docker provider cannot be had here: create, each file uploaded as a tar with its
// mode and owner, start), then changed by hand, each change reported by host, service and what differs.
const suite = engineAvailable() ? describe : describe.skip;

// Its own loopback address (other suites run ZooKeepers on theirs), and its own container names:
// never a dev cluster's that `npm run up:dev` made on this engine.
const overrides = { "mesos-cluster:masters": JSON.stringify(["local=127.0.0.97"]), "mesos-cluster:containerPrefix": "drifttest-" };

suite("drift on the docker runtime", () => {
    const { values, secure } = readStackConfig(ROOT, "dev");
    const all = planDocker(stackTopology({ ...values, ...overrides }, { requireSecrets: false, secretKeys: new Set(secure) }));
    const planned = (service: string) => {
        const found = all.find((p) => p.spec.service === service);
        if (found === undefined) {
            throw new Error(`the dev stack places no ${service}`);
        }
        return found.spec;
    };
    const zookeeper = planned("zookeeper");
    const registry = planned("registry");
    const tag = (s: ServiceSpec) => imageRef(s.image, "");
    const idOf = (image: string) => docker(["image", "inspect", "--format", "{{.Id}}", image]).trim();
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "docker-drift-"));
    const made: string[] = [];
    const check = () => checkDrift({ stack: "dev", overrides, services: ["zookeeper", "registry"], timeoutMs: 60_000 });
    /** Each difference as `host service kind subject: detail`. */
    const said = async () => (await check()).differences.map((d) => `${d.host} ${d.service} ${d.kind} ${d.subject}: ${d.detail}`);

    /** Creates a service's container as DockerRuntime does, from `image` (an ID), and starts it. */
    function deploy(spec: ServiceSpec, image: string) {
        const name = spec.containerName;
        tryDocker(["rm", "-f", name]);
        docker([
            "create",
            "--name",
            name,
            "--network",
            "host",
            "--label",
            `${SERVICE_LABEL_KEY}=${spec.service}`,
            "--restart",
            "always",
            ...Object.entries(spec.env).flatMap(([k, v]) => ["-e", `${k}=${v}`]),
            image,
            ...spec.args,
        ]);
        for (const f of spec.files) {
            // Test values for the secrets: the tool compares around them, never shows them.
            const content = fillTemplate(f.template, Object.fromEntries(secretsIn(f.template).map((x) => [x, `test-${x}`])));
            const dir = fs.mkdtempSync(path.join(scratch, "upload-"));
            fs.mkdirSync(path.join(dir, path.dirname(f.container)), { recursive: true });
            fs.writeFileSync(path.join(dir, f.container), content);
            const tar = spawnSync("tar", ["-C", dir, "--numeric-owner", `--owner=${f.uid ?? 0}`, `--group=${f.gid ?? 0}`, `--mode=${f.mode}`, "-cf", "-", f.container.slice(1)], { maxBuffer: 1 << 24 });
            const cp = spawnSync("docker", ["cp", "-", `${name}:/`], { input: tar.stdout, encoding: "utf8", timeout: 60_000 });
            if (cp.status !== 0) {
                throw new Error(`docker cp of ${f.container}: ${cp.stderr}`);
            }
        }
        docker(["start", name]);
    }
    const running = (spec: ServiceSpec) => docker(["container", "inspect", "--format", "{{.State.Running}}", spec.containerName]).trim() === "true";

    beforeAll(() => {
        for (const spec of [zookeeper, registry]) {
            docker(["build", "--network", "host", "-q", "-t", tag(spec), path.join(ROOT, "images", spec.image.context)], 900_000);
            deploy(spec, idOf(tag(spec)));
        }
    }, 1_800_000);

    afterAll(() => {
        for (const spec of [zookeeper, registry]) {
            tryDocker(["rm", "-f", spec.containerName]);
        }
        for (const image of made) {
            tryDocker(["rmi", "-f", image]);
        }
        fs.rmSync(scratch, { recursive: true, force: true });
    });

    test("containers as the program makes them: nothing reported", async () => {
        await waitFor("both containers running", 60_000, () => (running(zookeeper) && running(registry) ? true : undefined));
        const report = await check();
        expect(report.unreadable).toEqual([]);
        expect(report.differences).toEqual([]);
    }, 300_000);

    test("a file edited by hand: its unified diff; a secret file's mode loosened and its content changed: said, never shown", async () => {
        const plainFile = registry.files.find((f) => secretsIn(f.template).length === 0);
        // The ACL file: text around its secrets, so that an added first line is outside them.
        const secretFile = zookeeper.files.find((f) => secretsIn(f.template).length > 1);
        if (plainFile === undefined || secretFile === undefined) {
            throw new Error("the registry should have a plain file and ZooKeeper a secret one");
        }
        docker(["exec", "-u", "0", registry.containerName, "sh", "-c", `echo '# edited by hand' >> ${plainFile.container}`]);
        docker(["exec", "-u", "0", zookeeper.containerName, "sh", "-c", `chmod 0644 ${secretFile.container} && sed -i '1i /extra extra:x' ${secretFile.container}`]);
        const report = await check();
        const lines = report.differences.map((d) => `${d.host} ${d.service} ${d.kind} ${d.subject}: ${d.detail}`);
        expect(lines).toHaveLength(3);
        expect(lines).toEqual(
            expect.arrayContaining([
                `local registry file ${plainFile.container}: content differs`,
                `local zookeeper file ${secretFile.container}: mode 644, the program writes ${secretFile.mode.replace(/^0/, "")}`,
                expect.stringMatching(new RegExp(`^local zookeeper file ${secretFile.container}: content differs outside its secrets' places \\(not shown: it holds the secrets`)),
            ]),
        );
        expect(report.differences.find((d) => d.subject === plainFile.container)?.diff).toContain("+# edited by hand");
        expect(JSON.stringify(report)).not.toContain("test-");
    }, 300_000);

    test("a file deleted and a container stopped: each reported", async () => {
        deploy(registry, idOf(tag(registry)));
        deploy(zookeeper, idOf(tag(zookeeper)));
        const gone = zookeeper.files[0].container;
        docker(["exec", "-u", "0", zookeeper.containerName, "rm", "-f", gone]);
        docker(["stop", "-t", "5", zookeeper.containerName]);
        expect((await said()).sort()).toEqual([`local zookeeper container ${zookeeper.containerName}: is not running`, `local zookeeper file ${gone}: missing`]);
    }, 300_000);

    test("a container running another image than its tag names: reported as swapped", async () => {
        // Another image (its own ID), the tag left alone: other suites build and run that tag.
        const other = `mesos-cluster-test/zookeeper-other:${process.pid}`;
        spawnSync("docker", ["build", "-q", "-t", other, "-"], { input: `FROM ${tag(zookeeper)}\nLABEL drift-test=other\n`, encoding: "utf8", timeout: 300_000 });
        made.push(other);
        deploy(zookeeper, idOf(other));
        const lines = await said();
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(new RegExp(`^local zookeeper image ${tag(zookeeper).replace(/[.:/]/g, "\\$&")}: swapped under its reference: it names sha256:[0-9a-f]{64} on the host, the container runs sha256:[0-9a-f]{64}$`));
    }, 600_000);

    test("with every service checked: a labelled container of this stack's naming that it no longer deploys is a stray; another stack's is not", async () => {
        // Another stack's container on the same engine, with the same label: never this stack's stray.
        const otherStack = `otherstack-registry-local`;
        tryDocker(["rm", "-f", otherStack]);
        docker(["create", "--name", otherStack, "--label", `${SERVICE_LABEL_KEY}=registry`, idOf(tag(registry))]);
        try {
            // The registry taken off the stack: its running container is now a stray.
            const report = await checkDrift({ stack: "dev", overrides: { ...overrides, "mesos-cluster:registryHost": "" }, timeoutMs: 60_000 });
            expect(report.unreadable).toEqual([]);
            const strays = report.differences.filter((d) => d.service === "" && d.kind === "container");
            expect(strays.map((d) => `${d.host} ${d.subject}: ${d.detail}`)).toEqual([`local ${registry.containerName}: carries the program's label, but the program no longer deploys it here`]);
        } finally {
            tryDocker(["rm", "-f", otherStack]);
        }
    }, 300_000);

    test("no container at all: said so", async () => {
        tryDocker(["rm", "-f", zookeeper.containerName]);
        expect(await said()).toEqual([`local zookeeper container ${zookeeper.containerName}: does not exist`]);
    }, 120_000);
});
