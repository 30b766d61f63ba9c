import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseConfig } from "../components/config";
import { renderHosts } from "../components/render/hostFiles";
import { execWord, renderUnit } from "../components/runtimes/systemdUnit";
import { shellProgram } from "../components/runtimes/shellProgram";
import { CREATE_SCRIPT, DELETE_SCRIPT, shellQuote } from "../components/runtimes/systemd";
import { SERVICES, clusterSpecs } from "../components/services";
import { buildTopology } from "../components/composition";
import { render } from "../scripts/render";
import { readStackConfig } from "../scripts/stackFile";
import { secretsIn } from "../components/spec";
import { bundleFiles, emitted, execWords, unitValue } from "./emitted";
import { ROOT, TEST_PRIVATE_KEY, evaluate, isSecret, plain, stackConfig, stackNames } from "./harness";

const devTopology = () => buildTopology(parseConfig({}));

/** prod's config without its own registry, pulling from `registry` ("" for none). */
function prodPullingFrom(registry: string): Record<string, string> {
    const c: Record<string, string> = { ...stackConfig("prod"), "mesos-cluster:registry": registry, "mesos-cluster:registryHost": "", "mesos-cluster:registryAuth": "false", "mesos-cluster:registryTlsCertificate": "" };
    delete c["mesos-cluster:registryTlsKey"];
    return c;
}

describe("unit rendering", () => {
    test.each([
        ["plain", "--port=5050", "--port=5050"],
        ["a percent sign (a systemd specifier)", "50%", "50%%"],
        ["a dollar sign (a systemd variable)", "$HOME", "$$HOME"],
        ["blanks", "a b", '"a b"'],
        ["quotes and backslashes", 'say "hi" \\ now', '"say \\"hi\\" \\\\ now"'],
        ["a semicolon (a command separator in old systemd)", "a;b", '"a;b"'],
    ])("%s", (_, word, expected) => {
        expect(execWord(word)).toBe(expected);
        expect(execWords(`X ${execWord(word)}`)).toEqual(["X", word]);
    });

    test("a unit per the reference: docker.service first, foreground docker run, systemd restarts", () => {
        const [spec] = clusterSpecs(devTopology());
        const unit = renderUnit(spec, "reg:5000/mesos-cluster/zookeeper:3.8");
        expect(unitValue(unit, "After")).toContain("docker.service");
        expect(unitValue(unit, "Requires")).toBe("docker.service");
        const pre = execWords(unitValue(unit, "ExecStartPre") as string);
        expect(pre.slice(0, 2)).toEqual(["/bin/sh", "-c"]);
        expect(pre.slice(3)).toEqual(["free-name", spec.containerName]);
        expect(spawnSync("sh", ["-n", "-c", pre[2]]).status).toBe(0);
        // It never pulls: the create step pulls once, so a restart runs what was rolled out.
        expect(unit).not.toMatch(/docker[^\n]* pull/);
        expect(execWords(unitValue(unit, "ExecStart") as string)).toContain("reg:5000/mesos-cluster/zookeeper:3.8");
        const start = execWords(unitValue(unit, "ExecStart") as string);
        expect(start.slice(0, 4)).toEqual(["/usr/bin/docker", "run", "--rm", `--name=${spec.containerName}`]);
        expect(start).not.toContain("-d");
        expect(start.some((w) => w.startsWith("--restart"))).toBe(false);
        expect(unitValue(unit, "ExecStop")).toBe(`/usr/bin/docker stop ${spec.containerName}`);
        expect(unitValue(unit, "Restart")).toBe("always");
        expect(unitValue(unit, "TimeoutStartSec")).toBe("0");
        expect(unitValue(unit, "WantedBy")).toBe("multi-user.target");
    });

    test("shell quoting survives any word", () => {
        for (const word of ["plain", "it's", "a b", "$(rm -rf /)", "'\"'"]) {
            const out = spawnSync("sh", ["-c", `printf %s ${shellQuote(word)}`], { encoding: "utf8" });
            expect(out.stdout).toBe(word);
        }
    });

    test("the scripts are valid POSIX shell", () => {
        for (const script of [CREATE_SCRIPT, DELETE_SCRIPT]) {
            expect(spawnSync("sh", ["-n", "-c", script]).status).toBe(0);
        }
    });

    test("a program's file with a slot left unfilled, or a value with no slot, is refused", () => {
        expect(() => shellProgram("free-name.sh")).toThrow("free-name.sh: @DOCKER@ is given no value");
        expect(() => shellProgram("unit-delete.sh", { DOCKER: "/usr/bin/docker" })).toThrow("unit-delete.sh has no @DOCKER@");
    });
});

// The golden copy was written from the code in which the scripts were still strings in
// TypeScript (its `made` says which commit), so that moving them into files is shown to change no
// byte the hosts are sent: a changed command would restart every unit on the next `pulumi up`.
describe("what the hosts are sent, byte for byte as test/golden/unitCommands.json", () => {
    const GOLDEN = path.join(__dirname, "golden", "unitCommands.json");
    // Units that cover sudo and root, a pull with a login, an anonymous one, none, and an image
    // already on its host.
    const cases = [
        { name: "prod", config: () => stackConfig("prod"), stack: "prod", units: ["mesos-zookeeper-m1-unit", "mesos-agent-a1-unit", "mesos-registry-r1-unit"] },
        { name: "prod pulling anonymously", config: () => prodPullingFrom("registry.example.com:5000"), stack: "prod", units: ["mesos-zookeeper-m1-unit"] },
        { name: "prod pulling nothing", config: () => prodPullingFrom(""), stack: "prod", units: ["mesos-chronos-m1-unit"] },
        { name: "e2e (root)", config: () => stackConfig("e2e"), stack: "e2e", units: ["mesos-master-h11-unit"] },
    ];

    test("the create and delete commands and the unit's ExecStartPre", async () => {
        const sent: Record<string, string>[] = [];
        for (const c of cases) {
            const e = await evaluate(c.config(), c.stack);
            for (const unit of c.units) {
                const i = plain(e.byName(unit).inputs);
                const unitFile = [...bundleFiles(i.stdin).entries()].find(([p]) => p.endsWith(".service"))![1].content;
                sent.push({ case: c.name, unit, create: i.create, delete: i.delete, execStartPre: unitValue(unitFile, "ExecStartPre")! });
            }
        }
        if (process.env.WRITE_GOLDEN === "1") {
            const git = (...args: string[]) => spawnSync("git", ["-C", ROOT, ...args], { encoding: "utf8" }).stdout.trim();
            const made = `WRITE_GOLDEN=1 npx jest test/systemd.test.ts -t golden, at ${git("rev-parse", "HEAD")}${git("status", "--porcelain", "--", "components", "index.ts") === "" ? "" : " with changes to the program not committed"}`;
            fs.mkdirSync(path.dirname(GOLDEN), { recursive: true });
            fs.writeFileSync(GOLDEN, `${JSON.stringify({ made, units: sent }, null, 2)}\n`);
        }
        expect(sent).toEqual(JSON.parse(fs.readFileSync(GOLDEN, "utf8")).units);
    }, 120_000);
});

describe("stack prod: one remote.Command per service per host", () => {
    const config = stackConfig("prod");
    // prod runs the cluster's own registry, with a login.
    const registry = `${config["mesos-cluster:registryHost"].split("=")[1]}:5000`;
    const sshUser = config["mesos-cluster:sshUser"];

    test("create (also run on update: no update is given), delete, stdin, triggers and options", async () => {
        const e = await evaluate(config, "prod");
        const commands = e.ofType("command:remote:Command");
        const specs = clusterSpecs(buildTopology(parseConfig(readStackConfig(ROOT, "prod").values, { requireSecrets: false })));
        expect(commands).toHaveLength(specs.length);
        for (const spec of specs) {
            const c = e.resources.find((r) => r.name.endsWith(`-${spec.host.name}-unit`) && r.name.includes(`-${spec.containerName.split("-")[0]}-`));
            expect(c).toBeDefined();
            const i = plain(c!.inputs);
            const unit = `${spec.containerName}.service`;
            // The registry's own image is on its host already; every other is pulled with the login.
            const local = spec.service === "registry";
            const tagged = `${local ? "" : `${registry}/`}${spec.image.repository}:${spec.image.tag}`;
            // Pinned by the digest the push reports; the registry's own image by its tag.
            const push = e.ofType("docker:index/image:Image").find((p) => p.inputs.imageName === tagged);
            expect(push === undefined).toBe(local);
            const image = local ? tagged : (push!.outputs.repoDigest as string);
            expect(image).toMatch(local ? /:[0-9.]+$/ : /@sha256:[0-9a-f]{64}$/);
            const login = `/etc/mesos-cluster/${spec.containerName}.docker`;
            // The user is not root: every command runs through sudo, never prompting.
            expect(sshUser).not.toBe("root");
            const readiness = [spec.containerName, String(spec.health.timeoutSeconds), ...spec.health.command].map(shellQuote).join(" ");
            expect(i.create).toBe(`sudo -n sh -c ${shellQuote(CREATE_SCRIPT)} mesos-cluster ${shellQuote(unit)} ${shellQuote(image)} ${shellQuote(local ? "0" : login)} ${readiness}`);
            // The provider runs create on an update when update is unset (pulumi-command's remote.Command).
            expect(i.update).toBeUndefined();
            const paths = [
                ...spec.files.map((f) => f.host),
                ...(local ? [] : [`${login}/config.json`]),
                `/etc/mesos-cluster/${spec.containerName}.env`,
                `/etc/systemd/system/${unit}`,
            ];
            expect(i.delete).toBe(`sudo -n sh -c ${shellQuote(DELETE_SCRIPT)} mesos-cluster ${paths.map(shellQuote).join(" ")}`.replace("mesos-cluster ", `mesos-cluster ${shellQuote(unit)} `));
            const files = bundleFiles(i.stdin);
            expect([...files.keys()]).toEqual(paths);
            // Credentials ride in stdin, so stdin is a secret whenever the service has any.
            const secretFiles = spec.files.filter((f) => secretsIn(f.template).length > 0);
            expect(isSecret(c!.inputs.stdin)).toBe(secretFiles.length > 0 || !local);
            for (const f of spec.files) {
                expect(files.get(f.host)?.mode).toBe(secretFiles.includes(f) ? "0600" : f.mode);
                // Owned by the user the service runs as.
                expect([files.get(f.host)?.uid, files.get(f.host)?.gid]).toEqual([f.uid, f.gid]);
                expect(files.get(f.host)?.content).not.toContain("{{secret:");
            }
            if (!local) {
                // The registry login the pulls use: the generated password, in Docker's form.
                const login_ = files.get(`${login}/config.json`);
                expect(login_?.mode).toBe("0600");
                const auth = JSON.parse(login_!.content).auths[registry].auth;
                expect(Buffer.from(auth, "base64").toString()).toMatch(/^mesos-cluster:[A-Za-z0-9]{32}$/);
                // The unit runs the pinned image and never pulls: the create step pulls once.
                expect(execWords(unitValue(files.get(`/etc/systemd/system/${unit}`)!.content, "ExecStart")!)).toContain(image);
                expect(files.get(`/etc/systemd/system/${unit}`)!.content).not.toContain(" pull ");
            }
            expect(files.get(`/etc/mesos-cluster/${spec.containerName}.env`)?.mode).toBe("0600");
            expect(files.get(`/etc/systemd/system/${unit}`)?.mode).toBe("0644");
            // Only a move to another host replaces the unit; a new image is an update in place.
            expect(i.triggers).toEqual([spec.host.address, unit]);
            expect(i.logging).toBe("none");
            expect(i.addPreviousOutputInEnv).toBe(false);
            expect(c!.deleteBeforeReplace).toBe(true);
            expect(c!.additionalSecretOutputs).toEqual(expect.arrayContaining(["stdout", "stderr", "connection"]));
            expect(i.connection.privateKey).toBe(TEST_PRIVATE_KEY);
            // The key travels in the connection alone.
            for (const text of [i.create, i.delete, i.stdin, JSON.stringify(i.triggers)]) {
                expect(text).not.toContain(TEST_PRIVATE_KEY.split("\n")[1]);
            }
        }
    });

    const outside = (registry: string) => evaluate(prodPullingFrom(registry), "prod");

    test("with an outside registry, units pull from it without a login, and nothing is pushed", async () => {
        const e = await outside("registry.example.com:5000");
        expect(e.ofType("docker:index/image:Image")).toHaveLength(0);
        for (const c of e.ofType("command:remote:Command")) {
            expect(c.inputs.create).toMatch(/\.service' 'registry\.example\.com:5000\/mesos-cluster\/[a-z-]+:[0-9.]+' '1' '[a-z0-9-]+' '300' /);
            const unit = [...bundleFiles(plain(c.inputs.stdin)).values()].find((f) => f.content.includes("[Service]"));
            // By tag: only a push of the program's own reports a digest.
            expect(unit?.content).toMatch(/\n {4}registry\.example\.com:5000\/mesos-cluster\/[a-z]+:[0-9.]+( \\)?\n/);
        }
    });

    test("the cluster's registry is filled first: each image pushed once, all right after the registry, before its units", async () => {
        const e = await evaluate(config, "prod");
        const registryUnit = e.byName("mesos-registry-r1-unit");
        const pushes = e.ofType("docker:index/image:Image");
        expect(pushes.map((p) => p.inputs.imageName).sort()).toEqual(
            // One per image the stack's units run, but the registry's own.
            SERVICES.filter((s) => !s.localImage)
                .map((s) => `${registry}/mesos-cluster/${s.name}:${s.version}`)
                .sort(),
        );
        for (const p of pushes) {
            expect(p.inputs.skipPush).not.toBe(true);
            expect(p.inputs.registry.server).toBe(registry);
            expect(p.inputs.registry.username).toBe("mesos-cluster");
            expect(isSecret(p.inputs.registry.password)).toBe(true);
            expect(p.provider).toMatch(/::mesos-builder::/);
            // Every push starts once the registry is ready, all at once.
            expect(p.dependencies).toContain(registryUnit.urn);
        }
        for (const c of e.ofType("command:remote:Command").filter((x) => x !== registryUnit)) {
            const image = /' '([^']+)' '\/etc\/mesos-cluster\//.exec(plain(c.inputs.create))?.[1];
            // The unit runs the digest its push reported.
            const push = pushes.find((p) => p.outputs.repoDigest === image);
            expect(push).toBeDefined();
            expect(c.dependencies).toContain(push!.urn);
        }
    });

    test("without a registry, units and commands pull nothing", async () => {
        const e = await outside("");
        for (const c of e.ofType("command:remote:Command")) {
            expect(c.inputs.create).toMatch(/\.service' '[^']+' '0' '[a-z0-9-]+' '300' /);
            const unit = [...bundleFiles(plain(c.inputs.stdin)).values()].find((f) => f.content.includes("[Service]"));
            expect(unit?.content).not.toContain("docker pull");
        }
    });

    test("a root user runs the scripts without sudo", async () => {
        const e = await evaluate({ ...config, "mesos-cluster:sshUser": "root" }, "prod");
        for (const c of e.ofType("command:remote:Command")) {
            expect(c.inputs.create).toMatch(/^sh -c '/);
            expect(c.inputs.delete).toMatch(/^sh -c '/);
        }
    });
});

describe.each(stackNames())("stack %s: both runtimes carry the same service", (stack) => {
    test("image, args, environment, volumes, files, labels, restart and network settings", async () => {
        const base = { ...stackConfig(stack), "mesos-cluster:registry": "" };
        const viaDocker = emitted(await evaluate({ ...base, "mesos-cluster:runtime": "docker", "mesos-cluster:engine": "ssh" }));
        const viaSystemd = emitted(await evaluate({ ...base, "mesos-cluster:runtime": "systemd" }));
        const key = (s: { label: string; host: string }) => `${s.label}@${s.host}`;
        expect(viaSystemd.map(key).sort()).toEqual(viaDocker.map(key).sort());
        for (const d of viaDocker) {
            const s = viaSystemd.find((x) => key(x) === key(d))!;
            const comparable = ({ containerName, image, args, env, volumes, network, privileged, pidHost, files, labels, restart }: typeof d) => ({
                files,
                labels,
                restart,
                containerName,
                // The systemd runtime names the cluster registry's copy by its digest; the docker
                // runtime the image it built: the same repository.
                image: image.replace(/^[0-9.]+:\d+\//, "").replace(/(@sha256:[0-9a-f]+|:[^:/]+)$/, ""),
                // A reference to its own image (the agent's executors) names what the runtime runs.
                args: args.map((a) => a.split(image).join("{{image}}")),
                env,
                volumes,
                network,
                privileged,
                pidHost,
            });
            expect(comparable(s)).toEqual(comparable(d));
        }
    });
});

describe("render", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "render-"));
    afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

    test.each(stackNames())("stack %s: every host's files and a diagram", (stack) => {
        const dir = path.join(out, stack);
        const written = render(stack, dir);
        const config = parseConfig(readStackConfig(ROOT, stack).values, { requireSecrets: false });
        const t = buildTopology(config);
        const hosts = renderHosts(t);
        expect(written).toHaveLength(hosts.reduce((n, h) => n + h.files.length + h.containerFiles.length, 0) + 1);
        for (const h of hosts) {
            for (const f of h.files) {
                const file = path.join(dir, h.host, f.path);
                expect(fs.readFileSync(file, "utf8")).toBe(f.content);
                expect((fs.statSync(file).mode & 0o777).toString(8)).toBe(f.mode.replace(/^0/, ""));
            }
        }
        for (const m of t.ensemble) {
            const conf = path.join(dir, m.host.name, "in-container", `zookeeper-${m.host.name}`, "var/lib/zookeeper/conf");
            // The servers are in the dynamic file the ensemble starts from, not in zoo.cfg.
            expect(fs.readFileSync(path.join(conf, "zoo.cfg"), "utf8")).toMatch(/^dynamicConfigFile=\/var\/lib\/zookeeper\/conf\/zoo\.cfg\.dynamic\.seed$/m);
            const seed = fs.readFileSync(path.join(conf, "zoo.cfg.dynamic.seed"), "utf8");
            expect(seed.split("\n").filter((l) => /^server\.\d+=[\d.]+:2888:3888:participant;[\d.]+:2181$/.test(l))).toHaveLength(t.masters.length);
        }
        const svg = fs.readFileSync(path.join(dir, "topology.svg"), "utf8");
        expect(svg).toMatch(/^<\?xml[^>]*>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
        for (const h of t.hosts) {
            expect(svg).toContain(`${h.name}  ${h.address}`);
        }
        expect(svg).toContain(`quorum ${t.quorum}`);
    });

    test("the command line refuses a missing argument and an unknown stack", () => {
        const run = (...args: string[]) =>
            spawnSync(process.execPath, [require.resolve("ts-node/dist/bin"), "-T", "-P", path.join(ROOT, "tsconfig.json"), path.join(ROOT, "scripts/render.ts"), ...args], {
                encoding: "utf8",
                timeout: 60_000,
            });
        expect(run("--stack", "prod").stderr).toMatch(/both --stack and --out are required/);
        const unknown = run("--stack", "nope", "--out", path.join(out, "nope"));
        expect(unknown.status).not.toBe(0);
        expect(unknown.stderr).toMatch(/no stack file .*Pulumi\.nope\.yaml/);
    }, 120_000);
});

const verifier = spawnSync("systemd-analyze", ["--version"]).status === 0 && fs.existsSync("/usr/bin/docker");
if (!verifier && process.env.REQUIRE_DOCKER === "1") {
    throw new Error("REQUIRE_DOCKER=1 but systemd-analyze or /usr/bin/docker is missing; run scripts/docker-engine.sh start");
}

(verifier ? describe : describe.skip)("systemd-analyze verify", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "units-"));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    const verify = (files: string[]) => spawnSync("systemd-analyze", ["verify", "--man=no", ...files], { encoding: "utf8", timeout: 120_000 });

    test.each(stackNames())("stack %s: every unit passes, with no warning", (stack) => {
        const config = parseConfig(readStackConfig(ROOT, stack).values, { requireSecrets: false });
        const files: string[] = [];
        for (const h of renderHosts(buildTopology(config))) {
            for (const f of h.files.filter((x) => x.path.endsWith(".service"))) {
                const file = path.join(dir, path.basename(f.path));
                fs.writeFileSync(file, f.content);
                files.push(file);
            }
        }
        expect(files.length).toBeGreaterThan(0);
        const result = verify(files);
        expect({ status: result.status, output: `${result.stdout}${result.stderr}` }).toEqual({ status: 0, output: "" });
    }, 120_000);

    test("it does catch a broken unit (a negative control)", () => {
        const [spec] = clusterSpecs(devTopology());
        const file = path.join(dir, "broken.service");
        fs.writeFileSync(file, renderUnit(spec, "x").replace("Requires=docker.service", "Requires=no-such.service").replace("Restart=always", "Restart=always\nBogusKey=1"));
        const result = verify([file]);
        expect(result.status).not.toBe(0);
        expect(`${result.stdout}${result.stderr}`).toMatch(/BogusKey|no-such\.service/);
    });
});

