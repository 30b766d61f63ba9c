import { spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { parseConfig } from "../components/config";
import { CHRONOS_HTTP_CREDENTIALS_FILE, CHRONOS_MAIL_PASSWORD_FILE, CHRONOS_ZK_AUTH_FILE } from "../components/services/chronos";
import { MARATHON_HTTP_CREDENTIALS_FILE, MARATHON_ZK_LOGIN_FILE } from "../components/services/marathon";
import { service } from "../components/services";
import { buildTopology } from "../components/composition";
import { ROOT, secretKeys, stackConfig } from "./harness";
import { Ended, runAsync } from "./processes";

const dockerfile = (name: string) => fs.readFileSync(path.join(ROOT, "images", name, "Dockerfile"), "utf8");

test("Bamboo is built from its pinned release, beside Debian's HAProxy and the reload script Bamboo runs", () => {
    const file = dockerfile("bamboo");
    expect(file).toContain(`ARG BAMBOO_VERSION=${service("bamboo").version}`);
    expect(file).toMatch(/apt-get install[^\n]* haproxy /);
    expect(file).toContain("COPY haproxy-reload.sh /usr/local/bin/haproxy-reload");
    expect(file).toMatch(/ENTRYPOINT \["\/usr\/local\/bin\/bamboo-entrypoint"\]/);
});

test("the registry comes from Debian's docker-registry package", () => {
    expect(dockerfile("registry")).toMatch(/apt-get install[^\n]* docker-registry /);
});

describe("Chronos's entrypoint starts the jar as upstream's start script does, with every argument whole", () => {
    const script = path.join(ROOT, "images", "chronos", "entrypoint.sh");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chronos-entry-"));
    const java = path.join(dir, "java");
    // Stands in for java: prints LIBPROCESS_PORT, then each argument it is given on its own line.
    fs.writeFileSync(java, '#!/bin/sh\necho "LIBPROCESS_PORT=$LIBPROCESS_PORT"\nfor a in "$@"; do printf "%s\\n" "$a"; done\n', { mode: 0o755 });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    const run = (passwordFile: string, zkAuthFile = path.join(dir, "no-zk-auth")) =>
        spawnSync("sh", [script, "--master=zk://h:2181/mesos", "--cluster_name=a b", "--mail_user=ops"], {
            encoding: "utf8",
            env: { PATH: process.env.PATH, JAVA: java, MAIL_PASSWORD_FILE: passwordFile, ZK_AUTH_FILE: zkAuthFile, PORT0: "4400", PORT1: "4401", JVM_OPTS: "-Xmx512m -Dx=y" },
        });
    const jar = ["-Xmx512m", "-Dx=y", "-cp", "/chronos/chronos.jar:/usr/local/lib/chronos-launcher", "mesoscluster.ChronosLauncher"];

    // The launcher reads the secrets (test/real/chronosLauncher.test.ts runs it): the shell passes
    // their files' names, never what they hold.
    test("arguments kept whole, Chronos started through the launcher, --http_port from PORT0 last, no secret among them", () => {
        const file = path.join(dir, "mail-password");
        fs.writeFileSync(file, "p4ss word $HOME 'q'\n", { mode: 0o600 });
        const zk = path.join(dir, "zk-auth");
        fs.writeFileSync(zk, "chronos:s3cret", { mode: 0o600 });
        const r = run(file, zk);
        expect(r.status).toBe(0);
        expect(r.stdout.split("\n").slice(0, -1)).toEqual(["LIBPROCESS_PORT=4401", ...jar, "--master=zk://h:2181/mesos", "--cluster_name=a b", "--mail_user=ops", "--http_port", "4400"]);
    });

    test("the launcher is told where the secrets' files are", () => {
        const seen = path.join(dir, "seen");
        const show = path.join(dir, "show-java");
        fs.writeFileSync(show, `#!/bin/sh\necho "$MAIL_PASSWORD_FILE $ZK_AUTH_FILE" >${seen}\n`, { mode: 0o755 });
        const r = spawnSync("sh", [script], { encoding: "utf8", env: { PATH: process.env.PATH, JAVA: show, PORT0: "4400", PORT1: "4401" } });
        expect(r.status).toBe(0);
        expect(fs.readFileSync(seen, "utf8")).toBe(`${CHRONOS_MAIL_PASSWORD_FILE} ${CHRONOS_ZK_AUTH_FILE}\n`);
    });

    test("the files the entrypoint reads are the ones the program mounts", () => {
        expect(fs.readFileSync(script, "utf8")).toContain(`MAIL_PASSWORD_FILE:-${CHRONOS_MAIL_PASSWORD_FILE}}`);
        expect(fs.readFileSync(script, "utf8")).toContain(`ZK_AUTH_FILE:-${CHRONOS_ZK_AUTH_FILE}}`);
        expect(fs.readFileSync(script, "utf8")).toContain(`HTTP_CREDENTIALS_FILE:-${CHRONOS_HTTP_CREDENTIALS_FILE}}`);
        const launcher = fs.readFileSync(path.join(ROOT, "images", "chronos", "launcher", "ChronosLauncher.java"), "utf8");
        expect(launcher).toContain(`env("MAIL_PASSWORD_FILE", "${CHRONOS_MAIL_PASSWORD_FILE}")`);
        expect(launcher).toContain(`env("ZK_AUTH_FILE", "${CHRONOS_ZK_AUTH_FILE}")`);
        expect(dockerfile("chronos")).toMatch(/COPY --from=launcher \/out \/usr\/local\/lib\/chronos-launcher\n/);
        expect(fs.readFileSync(script, "utf8")).toContain("LAUNCHER=${LAUNCHER:-/usr/local/lib/chronos-launcher}");
    });
});

describe("the master's entrypoint refuses a change of quorum in an order the replicated log cannot survive", () => {
    const script = path.join(ROOT, "images", "master", "entrypoint.sh");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "master-entry-"));
    const work = path.join(dir, "work");
    const master = path.join(dir, "mesos-master");
    // Stands in for mesos-master: prints each argument on its own line.
    fs.writeFileSync(master, '#!/bin/sh\necho started; for a in "$@"; do printf "%s\\n" "$a"; done\n', { mode: 0o755 });
    // Masters that still run (answer /master/health), on loopback ports of their own.
    const servers: http.Server[] = [];
    const runningMaster = async (): Promise<string> => {
        const server = http.createServer((req, res) => res.writeHead(req.url === "/master/health" ? 200 : 404).end());
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        servers.push(server);
        return `127.0.0.1:${(server.address() as AddressInfo).port}`;
    };
    afterAll(async () => {
        await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
        fs.rmSync(dir, { recursive: true, force: true });
    });
    beforeEach(() => fs.rmSync(work, { recursive: true, force: true }));

    // Not spawnSync: the stand-in masters answer from this process's event loop.
    const start = (masters: string[], quorum: number): Promise<Ended> =>
        runAsync("bash", [script, `--quorum=${quorum}`, `--work_dir=${work}`, "--zk=zk://h:2181/mesos"], {
            env: { PATH: process.env.PATH, MESOS_MASTER: master, MASTERS: masters.join(",") },
            deadlineMs: 30_000,
        });
    const three = ["10.0.0.11:5050", "10.0.0.12:5050", "10.0.0.13:5050"];
    const started = (r: Ended) => ({ status: r.status, first: r.stdout.split("\n")[0], stderr: r.stderr });

    test("a first start, a restart and a quorum up by one start mesos-master with the same arguments", async () => {
        const r = await start(three, 2);
        expect(started(r)).toEqual({ status: 0, first: "started", stderr: "" });
        expect(r.stdout.split("\n").slice(1, -1)).toEqual(["--quorum=2", `--work_dir=${work}`, "--zk=zk://h:2181/mesos"]);
        expect(started(await start(three, 2)).status).toBe(0);
        // 3 -> 5 masters: the original three restart with --quorum=3 first.
        expect(started(await start([...three, "10.0.0.14:5050", "10.0.0.15:5050"], 3))).toEqual({ status: 0, first: "started", stderr: "" });
    });

    test("a quorum up by more than one is refused, with the steps", async () => {
        expect(started(await start(three, 2)).status).toBe(0);
        const r = await start([...three, "10.0.0.14:5050", "10.0.0.15:5050", "10.0.0.16:5050", "10.0.0.17:5050"], 4);
        expect(r.status).toBe(64);
        expect(r.stdout).toBe("");
        expect(r.stderr).toMatch(/ran with --quorum=2 and would start with --quorum=4; the quorum can grow by one at a time only\. Add two masters at a time/);
    });

    test("a quorum down while a master no longer listed still runs is refused, naming it, with the steps; once it is gone, the master starts", async () => {
        const [m4, m5] = [await runningMaster(), await runningMaster()];
        expect(started(await start([...three, m4, m5], 3)).status).toBe(0);
        const r = await start(three, 2);
        expect(r.status).toBe(64);
        expect(r.stdout).toBe("");
        expect(r.stderr).toContain(`masters it no longer lists still run with --quorum=3: ${m4} ${m5}`);
        expect(r.stderr).toMatch(/1\) remove those masters first, and nothing else: .*pulumi up --target URN.*2\) run `pulumi up` again/);
        // The retired masters are stopped: the restart with the smaller quorum goes ahead.
        await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
        expect(started(await start(three, 2))).toEqual({ status: 0, first: "started", stderr: "" });
    });

    test("from a single master to three is refused while its replicated log is there", async () => {
        expect(started(await start(["10.0.0.11:5050"], 1)).status).toBe(0);
        fs.mkdirSync(path.join(work, "replicated_log"));
        const r = await start(three, 2);
        expect(r.status).toBe(64);
        expect(r.stderr).toMatch(/only by wiping the replicated log, which loses the registry/);
        fs.rmSync(path.join(work, "replicated_log"), { recursive: true });
        expect(started(await start(three, 2)).status).toBe(0);
    });

    test("the image runs the entrypoint, and the program gives it the masters", async () => {
        expect(dockerfile("master")).toMatch(/COPY entrypoint\.sh \/usr\/local\/bin\/master-entrypoint\nENTRYPOINT \["\/usr\/local\/bin\/master-entrypoint"\]/);
        const t = buildTopology(parseConfig(stackConfig("ha"), { secretKeys: new Set(secretKeys()) }));
        const spec = service("master").spec(t, t.masters[0]);
        expect(spec.env.MASTERS).toBe(t.masters.map((m) => `${m.address}:5050`).join(","));
    });
});

// The agent's image is its executors' image too: Mesos 1.7.1 starts an executor's container with
// the executor's path and flags as arguments and no entrypoint (docker.cpp), which upstream's
// entrypoint, mesos-slave, refuses as flags. And Mesos 1.7.1 needs ContainerConfig in `docker
// inspect`, which engines drop past API 1.44 and with the containerd image store. Stand-ins for
// mesos-slave, the executor and the engine's answers print what they were given.
describe("the agent's entrypoint runs mesos-slave, or the executor Mesos starts in its image", () => {
    const script = path.join(ROOT, "images", "agent", "entrypoint.sh");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agent-entry-"));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const printer = (name: string) => `#!/bin/sh\necho "${name} api=\${DOCKER_API_VERSION:-negotiated}"; for a in "$@"; do printf "%s\\n" "$a"; done\n`;
    const slave = path.join(dir, "mesos-slave");
    fs.writeFileSync(slave, printer("mesos-slave"), { mode: 0o755 });
    fs.mkdirSync(path.join(dir, "libexec", "mesos"), { recursive: true });
    const executor = path.join(dir, "libexec", "mesos", "mesos-docker-executor");
    fs.writeFileSync(executor, printer("executor"), { mode: 0o755 });
    // Answers `docker version --format` with ENGINE_API and `docker info --format` with ENGINE_DRIVER.
    const docker = path.join(dir, "docker");
    fs.writeFileSync(docker, '#!/bin/sh\ncase "$1" in version) [ -n "$ENGINE_API" ] && echo "$ENGINE_API" ;; info) echo "$ENGINE_DRIVER" ;; esac\n', { mode: 0o755 });
    const run = (engine: { api: string; driver?: string }, ...args: string[]) =>
        spawnSync("sh", [script, ...args], {
            encoding: "utf8",
            env: { PATH: process.env.PATH, MESOS_SLAVE: slave, DOCKER: docker, ENGINE_API: engine.api, ENGINE_DRIVER: engine.driver ?? "[[Backing Filesystem extfs] [Supports d_type true]]" },
        });

    test("the agent's own flags go to mesos-slave, whole", () => {
        const r = run({ api: "1.41" }, "--master=zk://h:2181/mesos", "--attributes=rack:a b");
        expect(r.status).toBe(0);
        expect(r.stdout).toBe(["mesos-slave api=negotiated", "--master=zk://h:2181/mesos", "--attributes=rack:a b", ""].join("\n"));
    });

    test("an executor's command, as the docker containerizer gives it, runs the executor with its flags", () => {
        const r = run({ api: "1.41" }, executor, "--container=mesos-1234", "--docker=docker", "--sandbox_directory=/var/lib/mesos/slaves/x");
        expect(r.status).toBe(0);
        expect(r.stdout).toBe(["executor api=negotiated", "--container=mesos-1234", "--docker=docker", "--sandbox_directory=/var/lib/mesos/slaves/x", ""].join("\n"));
    });

    test.each([
        ["1.41", "negotiated"],
        ["1.44", "negotiated"],
        ["1.45", "1.44"],
        ["1.52", "1.44"],
        ["2.0", "1.44"],
    ])("an engine speaking API %s: docker is run at %s, by the agent and its executors", (api, used) => {
        expect(run({ api }, "--x").stdout.split("\n")[0]).toBe(`mesos-slave api=${used}`);
        expect(run({ api }, executor).stdout.split("\n")[0]).toBe(`executor api=${used}`);
    });

    test("an engine on the containerd image store is refused, with the fix; so is no engine", () => {
        const r = run({ api: "1.52", driver: "[[driver-type io.containerd.snapshotter.v1]]" }, "--x");
        expect(r.status).toBe(78);
        expect(r.stdout).toBe("");
        expect(r.stderr).toContain('"containerd-snapshotter": false');
        const none = run({ api: "" }, "--x");
        expect(none.status).toBe(69);
        expect(none.stderr).toContain("does not answer");
    });

    /** The entrypoint on a host whose cgroup root is a `fsType` (a stand-in for stat -f says so). */
    const onCgroups = (fsType: string, ...args: string[]) => {
        const bin = fs.mkdtempSync(path.join(dir, "stat-"));
        fs.writeFileSync(path.join(bin, "stat"), `#!/bin/sh\necho ${fsType}\n`, { mode: 0o755 });
        return spawnSync("sh", [script, ...args], {
            encoding: "utf8",
            env: { PATH: `${bin}:${process.env.PATH}`, MESOS_SLAVE: slave, DOCKER: docker, ENGINE_API: "1.41", ENGINE_DRIVER: "" },
        });
    };
    // The flags the program gives an agent of the e2e stack (authentication on, its own registry).
    const t = buildTopology(parseConfig(stackConfig("e2e"), { secretKeys: new Set(secretKeys()) }));
    const agentArgs = service("agent").spec(t, t.agents[0]).args;
    const agentFlags = new Set(fs.readFileSync(path.join(ROOT, "reference", "flags", "mesos-agent-1.7.1.txt"), "utf8").split("\n").filter(Boolean));

    test("on cgroup v1 (the cgroup root a tmpfs), the program's flags go to mesos-slave as they are, the isolation said", () => {
        const r = onCgroups("tmpfs", ...agentArgs);
        expect(r.status).toBe(0);
        expect(r.stdout).toBe(["mesos-slave api=negotiated", ...agentArgs, ""].join("\n"));
        expect(r.stderr).toContain(`isolation ${agentArgs.find((a) => a.startsWith("--isolation="))?.slice("--isolation=".length)} on cgroup v1`);
    });

    test("on cgroup v2 (a cgroup2fs), Docker tasks only: posix isolation and launcher, every other flag kept, and said", () => {
        expect(agentArgs).toContain("--containerizers=docker,mesos");
        const r = onCgroups("cgroup2fs", ...agentArgs);
        expect(r.status).toBe(0);
        const given = r.stdout.split("\n").slice(1, -1);
        expect(given).toEqual([
            ...agentArgs.map((a) => (a.startsWith("--isolation=") ? "--isolation=posix/cpu,posix/mem" : a.startsWith("--containerizers=") ? "--containerizers=docker" : a)),
            "--launcher=posix",
        ]);
        // Every flag it passes is one mesos-agent 1.7.1 accepts (reference/flags).
        for (const flag of given.map((a) => a.replace(/^--(no-)?/, "").split("=")[0])) {
            expect({ flag, accepted: agentFlags.has(flag) }).toEqual({ flag, accepted: true });
        }
        expect(r.stderr).toContain("this host runs cgroup v2");
        expect(r.stderr).toContain("Docker tasks only (--containerizers=docker), isolation posix/cpu,posix/mem, launcher posix");
    });

    test("an executor's container is no agent: its command is never rewritten for the host's cgroups", () => {
        for (const fsType of ["cgroup2fs", "tmpfs"]) {
            const r = onCgroups(fsType, executor, "--isolation=cgroups/cpu");
            expect({ fsType, status: r.status, out: r.stdout }).toEqual({ fsType, status: 0, out: ["executor api=negotiated", "--isolation=cgroups/cpu", ""].join("\n") });
        }
    });

    test("the image runs it", () => {
        expect(dockerfile("agent")).toMatch(/COPY entrypoint\.sh \/usr\/local\/bin\/agent-entrypoint\nENTRYPOINT \["\/usr\/local\/bin\/agent-entrypoint"\]/);
    });
});

describe("Marathon's entrypoint passes its ZooKeeper login in MARATHON_ZK, never as an argument", () => {
    const script = path.join(ROOT, "images", "marathon", "entrypoint.sh");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "marathon-entry-"));
    const marathon = path.join(dir, "marathon");
    // Stands in for /marathon/bin/marathon: writes MARATHON_ZK to a file (its output is filtered
    // for the password), then prints each argument on its own line.
    const seen = path.join(dir, "seen");
    fs.writeFileSync(marathon, `#!/bin/sh\necho "MARATHON_ZK=\${MARATHON_ZK:-}" >${seen}; for a in "$@"; do printf "%s\\n" "$a"; done\n`, { mode: 0o755 });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const run = (login: string, credentials = path.join(dir, "no-http-credentials")) =>
        spawnSync("sh", [script, "--master=zk://h:2181/mesos", "--hostname=a b"], {
            encoding: "utf8",
            env: { PATH: process.env.PATH, MARATHON: marathon, ZK_LOGIN_FILE: login, HTTP_CREDENTIALS_FILE: credentials },
        });

    test("from its file, with the arguments kept whole", () => {
        const login = path.join(dir, "zk");
        fs.writeFileSync(login, "zk://marathon:s3cret@h:2181/marathon", { mode: 0o600 });
        expect(run(login).stdout).toBe(["--master=zk://h:2181/mesos", "--hostname=a b", ""].join("\n"));
        expect(fs.readFileSync(seen, "utf8")).toBe("MARATHON_ZK=zk://marathon:s3cret@h:2181/marathon\n");
    });

    test("nothing set without the file", () => {
        expect(run(path.join(dir, "absent")).stdout).toBe(["--master=zk://h:2181/mesos", "--hostname=a b", ""].join("\n"));
        expect(fs.readFileSync(seen, "utf8")).toBe("MARATHON_ZK=\n");
    });

    test("the files it reads are the ones the program mounts, and the image runs it", () => {
        expect(fs.readFileSync(script, "utf8")).toContain(`ZK_LOGIN_FILE:-${MARATHON_ZK_LOGIN_FILE}}`);
        expect(fs.readFileSync(script, "utf8")).toContain(`HTTP_CREDENTIALS_FILE:-${MARATHON_HTTP_CREDENTIALS_FILE}}`);
        expect(dockerfile("marathon")).toMatch(/COPY entrypoint\.sh \/usr\/local\/bin\/marathon-entrypoint\nENTRYPOINT \["\/usr\/local\/bin\/marathon-entrypoint"\]/);
    });
});

// Both read the operator's login from a file into MESOSPHERE_HTTP_CREDENTIALS, which Marathon
// and Chronos read as --http_credentials' default: the process's environment, never its arguments.
describe.each([
    { service: "Marathon", image: "marathon", standIn: "MARATHON", env: {}, args: ["--master=zk://h:2181/mesos"] },
    {
        service: "Chronos",
        image: "chronos",
        standIn: "JAVA",
        env: { PORT0: "4400", PORT1: "4401" },
        args: ["-cp", "/chronos/chronos.jar:/usr/local/lib/chronos-launcher", "mesoscluster.ChronosLauncher", "--master=zk://h:2181/mesos", "--http_port", "4400"],
    },
])("$service's entrypoint with its HTTP login", ({ service, image, standIn, env, args }) => {
    const script = path.join(ROOT, "images", image, "entrypoint.sh");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${image}-login-`));
    // Stands in for the daemon: writes the login it finds in its environment to a file (Marathon's
    // output is filtered: the login would not show there), then prints its arguments.
    const daemon = path.join(dir, "daemon");
    const found = path.join(dir, "environment");
    fs.writeFileSync(daemon, `#!/bin/sh\necho "MESOSPHERE_HTTP_CREDENTIALS=\${MESOSPHERE_HTTP_CREDENTIALS-unset}" >${found}; for a in "$@"; do printf "%s\\n" "$a"; done\n`, { mode: 0o755 });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const absent = path.join(dir, "absent");
    const start = (credentials: string) =>
        spawnSync("sh", [script, "--master=zk://h:2181/mesos"], {
            encoding: "utf8",
            // The other files it reads are absent: only the login is under test.
            env: { PATH: process.env.PATH, [standIn]: daemon, HTTP_CREDENTIALS_FILE: credentials, ZK_LOGIN_FILE: absent, ZK_AUTH_FILE: absent, MAIL_PASSWORD_FILE: absent, ...env },
        });
    const login = (content: string) => {
        const f = path.join(dir, "http-credentials");
        fs.writeFileSync(f, content, { mode: 0o600 });
        return f;
    };

    test("reaches the process's environment as MESOSPHERE_HTTP_CREDENTIALS, and none of its arguments", () => {
        const r = start(login("operator:s3cretHttp"));
        expect(r.status).toBe(0);
        expect(fs.readFileSync(found, "utf8")).toBe("MESOSPHERE_HTTP_CREDENTIALS=operator:s3cretHttp\n");
        expect(r.stdout).toBe([...args, ""].join("\n"));
    });

    test("nothing set without the file; a file that holds no user:password stops the start", () => {
        start(absent);
        expect(fs.readFileSync(found, "utf8")).toBe("MESOSPHERE_HTTP_CREDENTIALS=unset\n");
        for (const bad of ["", "operator", ":s3cret", "operator:", "operator:s3cret\nmore"]) {
            const r = start(login(bad));
            expect({ bad, status: r.status, stdout: r.stdout }).toEqual({ bad, status: 64, stdout: "" });
            expect(r.stderr).toContain(`does not hold one user:password line; not starting ${service} without its login`);
        }
    });
});

// Marathon 1.8 prints its arguments at start, those it made from MARATHON_* variables first (Main.scala
// L70 and envToArgs, v1.8.244): the ZooKeeper URL from MARATHON_ZK, password and all. Its entrypoint
// filters its output and errors for that password and the HTTP login's.
describe("Marathon's entrypoint keeps both logins out of Marathon's log", () => {
    const script = path.join(ROOT, "images", "marathon", "entrypoint.sh");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "marathon-log-"));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    // Stands in for Marathon 1.8 (named so: no Marathon binary can be had here): logs its start
    // line as Main.scala does (--zk from MARATHON_ZK before the arguments), an error naming the
    // HTTP password, its pid, and exits with 3.
    const marathon = path.join(dir, "marathon");
    fs.writeFileSync(
        marathon,
        `#!/bin/sh\necho "Starting Marathon 1.8.244/stand-in with --zk $MARATHON_ZK $*"\necho "twice: $MESOSPHERE_HTTP_CREDENTIALS $MESOSPHERE_HTTP_CREDENTIALS" >&2\necho "$$" >"$PIDFILE"\nexit 3\n`,
        { mode: 0o755 },
    );
    const credentials = path.join(dir, "http-credentials");
    fs.writeFileSync(credentials, "operator:Pa55word.*[x]", { mode: 0o600 });
    const zk = path.join(dir, "zk");
    fs.writeFileSync(zk, "zk://marathon:Zk9pass@h1:2181,h2:2181/marathon", { mode: 0o600 });
    let runs = 0;
    const run = (env: NodeJS.ProcessEnv) => {
        const pidfile = path.join(dir, `pid-${++runs}`);
        return { pidfile, ...spawnSync("sh", [script, "--master=zk://h:2181/mesos"], { encoding: "utf8", env: { PATH: process.env.PATH, MARATHON: marathon, PIDFILE: pidfile, ...env } }) };
    };
    const both = run({ HTTP_CREDENTIALS_FILE: credentials, ZK_LOGIN_FILE: zk });

    test("each password is *** in its output and its errors, the rest of each line kept", () => {
        expect(both.stdout).toBe("Starting Marathon 1.8.244/stand-in with --zk zk://marathon:***@h1:2181,h2:2181/marathon --master=zk://h:2181/mesos\n");
        expect(both.stderr).toBe("twice: operator:*** operator:***\n");
    });

    test("the ZooKeeper password alone, without an HTTP login, is filtered too", () => {
        const r = run({ HTTP_CREDENTIALS_FILE: path.join(dir, "absent"), ZK_LOGIN_FILE: zk });
        expect(r.stdout).toBe("Starting Marathon 1.8.244/stand-in with --zk zk://marathon:***@h1:2181,h2:2181/marathon --master=zk://h:2181/mesos\n");
        expect(r.status).toBe(3);
    });

    test("Marathon is still the entrypoint's process, and its exit status the container's", () => {
        expect(both.status).toBe(3);
        expect(fs.readFileSync(both.pidfile, "utf8").trim()).toBe(String(both.pid));
    });
});

// A required variable is checked with `: "${NAME:?message}"`. Inside that, bash takes a quote in
// the message as a quote (dash does not): one with an apostrophe ran to the next check's, so bash
// never ran that check (an empty PORT1 started Chronos with no libprocess port), and bash as
// /bin/sh printed the message without it. Each check is run under dash, bash and bash as sh.
describe.each([
    { image: "chronos", set: { PORT0: "4400", PORT1: "4401" } },
    { image: "zookeeper", set: { ZOO_MY_ID: "1", ZOO_SERVERS: "server.1=127.0.0.1:2888:3888:participant;127.0.0.1:2181" } },
])("$image's entrypoint refuses a missing variable with its own message, under any shell", ({ image, set }) => {
    const script = path.join(ROOT, "images", image, "entrypoint.sh");
    const source = fs.readFileSync(script, "utf8");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${image}-required-`));
    // bash named sh runs as it would as an image's /bin/sh: in POSIX mode.
    fs.symlinkSync(spawnSync("sh", ["-c", "command -v bash"], { encoding: "utf8" }).stdout.trim(), path.join(dir, "sh"));
    // Stands in for the daemon, should a check let the start through.
    const daemon = path.join(dir, "daemon");
    fs.writeFileSync(daemon, "#!/bin/sh\necho started\n", { mode: 0o755 });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const shells = { dash: "dash", bash: "bash", "bash as sh": path.join(dir, "sh") };
    const absent = path.join(dir, "absent");

    describe.each(Object.keys(set))("%s", (name) => {
        const message = new RegExp(`: "\\$\\{${name}:\\?([^}]*)\\}"`).exec(source)?.[1];
        test.each(Object.keys(shells).flatMap((shell) => [
            [shell, "unset"],
            [shell, "empty"],
        ]))("under %s, %s", (shell, how) => {
            expect(message).toBeDefined();
            const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, JAVA: daemon, MAIL_PASSWORD_FILE: absent, ZK_AUTH_FILE: absent, HTTP_CREDENTIALS_FILE: absent, ...set };
            if (how === "unset") {
                delete env[name];
            } else {
                env[name] = "";
            }
            const r = spawnSync(shells[shell as keyof typeof shells], [script], { encoding: "utf8", env, timeout: 10_000 });
            // dash says `script: 11: NAME: …`, bash `script: line 11: NAME: …`.
            const said = r.stderr.replace(/^[^\n]*?: (line )?\d+: /, "");
            expect({ failed: r.status !== 0, stdout: r.stdout, said }).toEqual({ failed: true, stdout: "", said: `${name}: ${message}\n` });
        });
    });
});
