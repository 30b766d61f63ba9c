import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { toolAvailable } from "../tools/available";
import { kazooAvailable, probeAcl, zkTree } from "../tools/zkWriter";
import { ROOT } from "../harness";
import { waitFor } from "./docker";

// Chronos's launcher (images/chronos/launcher/ChronosLauncher.java), compiled with the Dockerfile's
// own javac line and run by the image's entrypoint on a real JVM, in front of a stand-in for
// Chronos's main method (test/chronos/ChronosStandIn.java: Chronos cannot be had here) that
// connects with the real Curator 2.11.0 and ZooKeeper 3.4.6 client Chronos 3.0.2 is built with, to
// a real ZooKeeper server (3.4.6, from the same Maven artifacts; scripts/java-jars.sh).
const suite = toolAvailable("javac", "openjdk-17-jdk-headless") && toolAvailable("mvn", "maven") && kazooAvailable() ? describe : describe.skip;

const ENTRYPOINT = path.join(ROOT, "images", "chronos", "entrypoint.sh");
const ZK = "127.0.0.71:21810";

/** The Dockerfile's `RUN javac …` line, with its paths pointed at `out` and `source`. */
function javacArgs(out: string, source: string, classpath?: string): string[] {
    const line = /^RUN javac (.*) -d \/out \/src\/ChronosLauncher\.java$/m.exec(fs.readFileSync(path.join(ROOT, "images", "chronos", "Dockerfile"), "utf8"));
    if (!line) {
        throw new Error("images/chronos/Dockerfile has no `RUN javac … -d /out /src/ChronosLauncher.java` line");
    }
    return [...line[1].split(/\s+/), ...(classpath ? ["-cp", classpath] : []), "-d", out, source];
}

function run(command: string, args: string[]): string {
    const r = spawnSync(command, args, { encoding: "utf8", timeout: 240_000 });
    if (r.status !== 0) {
        throw new Error(`${command} ${args.join(" ")} ended with ${r.status}: ${r.stderr}`);
    }
    return r.stdout;
}

/** Resolves once `p` exits, or kills it after `ms`. */
function stop(p: ChildProcess | undefined, ms: number): Promise<void> {
    if (!p || p.exitCode !== null || p.signalCode !== null) {
        return Promise.resolve();
    }
    return new Promise((resolve) => {
        const timer = setTimeout(() => p.kill("SIGKILL"), ms);
        p.once("exit", () => {
            clearTimeout(timer);
            resolve();
        });
        p.kill("SIGTERM");
    });
}

const ruok = () =>
    new Promise<boolean>((resolve) => {
        const [host, port] = ZK.split(":");
        const s = net.connect(Number(port), host, () => s.end("ruok"));
        let got = "";
        s.on("data", (d) => (got += d));
        s.on("close", () => resolve(got === "imok"));
        s.on("error", () => resolve(false));
        s.setTimeout(2_000, () => s.destroy());
    });

suite("Chronos's launcher", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chronos-launcher-"));
    const launcher = path.join(dir, "launcher");
    const standIn = path.join(dir, "standin");
    let jars = "";
    let zookeeper: ChildProcess | undefined;
    const MAIL = "m4il-Secret-7Q";
    const ZK_PASSWORD = "zkChronos-9Xw";
    const files = { mail: path.join(dir, "mail-password"), zk: path.join(dir, "zk-auth"), http: path.join(dir, "http-credentials") };

    /** The image's entrypoint, its paths moved under `dir`, java and the launcher real; Chronos the stand-in. */
    function entrypoint(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
        return spawn("sh", [ENTRYPOINT, ...args], {
            stdio: ["ignore", "pipe", "pipe"],
            env: {
                PATH: process.env.PATH,
                JAVA: "java",
                CHRONOS_JAR: `${standIn}:${jars}/*`,
                LAUNCHER: launcher,
                CHRONOS_MAIN: "standin.ChronosStandIn",
                MAIL_PASSWORD_FILE: files.mail,
                ZK_AUTH_FILE: files.zk,
                HTTP_CREDENTIALS_FILE: files.http,
                PORT0: "4400",
                PORT1: "4401",
                JVM_OPTS: "-Xmx64m",
                ...env,
            },
        });
    }
    const exited = (p: ChildProcess) =>
        new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
            let stderr = "";
            p.stderr?.on("data", (d) => (stderr += d));
            const timer = setTimeout(() => {
                p.kill("SIGKILL");
                reject(new Error(`the entrypoint still ran after 90 s (killed); its errors: ${stderr}`));
            }, 90_000);
            p.once("exit", (code) => {
                clearTimeout(timer);
                resolve({ code, stderr });
            });
        });

    beforeAll(async () => {
        // Fetched by npm test before jest starts (scripts/java-jars.sh): a test reaches no registry.
        jars = process.env.JAVA_JARS_DIR ?? path.join(os.homedir(), ".cache", "mesos-cluster", "jars");
        if (!fs.existsSync(path.join(jars, "curator-framework-2.11.0.jar"))) {
            throw new Error(`no Curator 2.11.0 in ${jars}: run bash scripts/java-jars.sh (npm test does, when mvn is installed)`);
        }
        run("javac", javacArgs(launcher, path.join(ROOT, "images", "chronos", "launcher", "ChronosLauncher.java")));
        run("javac", javacArgs(standIn, path.join(ROOT, "test", "chronos", "ChronosStandIn.java"), `${jars}/*`));
        fs.writeFileSync(files.mail, `${MAIL}\n`, { mode: 0o600 });
        fs.writeFileSync(files.zk, `chronos:${ZK_PASSWORD}`, { mode: 0o600 });
        const data = path.join(dir, "zk-data");
        fs.mkdirSync(data);
        const [address, port] = ZK.split(":");
        fs.writeFileSync(path.join(dir, "zoo.cfg"), `tickTime=2000\ndataDir=${data}\nclientPort=${port}\nclientPortAddress=${address}\n`);
        expect(await ruok()).toBe(false); // nothing of an earlier run answers there
        zookeeper = spawn("java", ["-Xmx128m", "-cp", `${jars}/*`, "org.apache.zookeeper.server.ZooKeeperServerMain", path.join(dir, "zoo.cfg")], { stdio: "ignore" });
    }, 300_000);

    afterAll(async () => {
        await stop(zookeeper, 10_000);
        fs.rmSync(dir, { recursive: true, force: true });
    });

    test("hands Chronos its mail password and ZooKeeper login as arguments, on no command line", async () => {
        const out = path.join(dir, "args-1");
        const p = entrypoint(["--master=zk://h:2181/mesos", "--cluster_name=a b"], { STANDIN_ARGS_OUT: out, STANDIN_WAIT: "1" });
        const ended = exited(p);
        try {
            await waitFor("the stand-in to write its arguments", 60_000, () => (fs.existsSync(out) ? true : undefined));
            // The entrypoint execs java: the JVM is the process spawned.
            const cmdline = fs.readFileSync(`/proc/${p.pid}/cmdline`, "utf8").split("\0");
            expect(cmdline).toContain("mesoscluster.ChronosLauncher");
            const ps = spawnSync("ps", ["-eo", "args"], { encoding: "utf8" }).stdout;
            for (const secret of [MAIL, ZK_PASSWORD]) {
                expect({ secret, inCmdline: cmdline.some((a) => a.includes(secret)), inPs: ps.includes(secret) }).toEqual({ secret, inCmdline: false, inPs: false });
            }
            expect(fs.readFileSync(out, "utf8").split("\n").slice(0, -1)).toEqual([
                "--master=zk://h:2181/mesos",
                "--cluster_name=a b",
                "--http_port",
                "4400",
                "--mail_password",
                MAIL,
                "--zk_auth",
                `chronos:${ZK_PASSWORD}`,
            ]);
        } finally {
            p.kill("SIGKILL");
            await ended.catch(() => undefined);
        }
    }, 120_000);

    test("without the files, Chronos gets neither option, and the launcher changes no ACL", async () => {
        const out = path.join(dir, "args-2");
        const { code, stderr } = await exited(entrypoint(["--master=zk://h:2181/mesos"], { STANDIN_ARGS_OUT: out, MAIL_PASSWORD_FILE: path.join(dir, "absent"), ZK_AUTH_FILE: path.join(dir, "absent") }));
        expect(code).toBe(0);
        expect(stderr).not.toContain("chronos-launcher:");
        expect(fs.readFileSync(out, "utf8")).toBe("--master=zk://h:2181/mesos\n--http_port\n4400\n");
    }, 120_000);

    describe("in ZooKeeper", () => {
        beforeAll(async () => {
            const end = Date.now() + 60_000;
            while (!(await ruok())) {
                if (Date.now() > end) {
                    throw new Error(`ZooKeeper 3.4.6 did not answer ruok on ${ZK} within 60 s`);
                }
                await new Promise((r) => setTimeout(r, 250));
            }
            const { code, stderr } = await exited(entrypoint([`--zk_hosts`, ZK], { STANDIN_ARGS_OUT: path.join(dir, "args-3") }));
            expect({ code, stderr: stderr.split("\n").filter((l) => l.startsWith("chronos-launcher:")) }).toEqual({
                code: 0,
                stderr: ["chronos-launcher: nodes Chronos creates in ZooKeeper: read for anyone, all for its login"],
            });
        }, 120_000);

        test("every node Chronos creates is read for anyone and all for Chronos's login alone", async () => {
            const nodes = await zkTree("dump", { connect: ZK, paths: ["/chronos"] });
            expect(Object.keys(nodes).sort()).toEqual(["/chronos", "/chronos/state", "/chronos/state/jobs", "/chronos/state/jobs/standin-job"]);
            for (const [node, n] of Object.entries(nodes)) {
                const acl = n.acl.map(([perms, scheme, id]) => `${scheme}:${scheme === "digest" ? id.split(":")[0] : id}:${perms}`).sort();
                expect({ node, acl }).toEqual({ node, acl: ["digest:chronos:31", "world:anyone:1"] });
            }
        }, 120_000);

        test.each([
            ["anonymous", undefined],
            ["another service's user", "marathon:anotherPassword1"],
        ])("%s may read Chronos's jobs, and not add, change or delete one", async (_, auth) => {
            const probe = await probeAcl({ connect: ZK, path: "/chronos/state/jobs", auth, victim: "/chronos/state/jobs/standin-job" });
            expect(probe).toMatchObject({ read: "ok", create: "NoAuthError", change: "NoAuthError", delete: "NoAuthError" });
        }, 120_000);

        test("Chronos's own login may", async () => {
            const probe = await probeAcl({ connect: ZK, path: "/chronos/state/jobs", auth: `chronos:${ZK_PASSWORD}` });
            expect(probe).toMatchObject({ read: "ok", create: "ok", change: "ok", delete: "ok" });
        }, 120_000);

        test("the finding: Chronos's main method started without the launcher leaves its nodes open to anyone", async () => {
            // What the image did before: Chronos itself, with its login, and Curator's default ACL.
            const r = spawnSync("java", ["-Xmx64m", "-cp", `${standIn}:${jars}/*`, "standin.ChronosStandIn", "--zk_hosts", ZK, "--zk_auth", `chronos:${ZK_PASSWORD}`], {
                encoding: "utf8",
                timeout: 90_000,
                env: { PATH: process.env.PATH, STANDIN_ARGS_OUT: path.join(dir, "args-4"), STANDIN_ROOT: "/unprotected" },
            });
            expect(r.status).toBe(0);
            const probe = await probeAcl({ connect: ZK, path: "/unprotected/state/jobs", victim: "/unprotected/state/jobs/standin-job" });
            expect(probe).toMatchObject({ read: "ok", create: "ok", change: "ok", delete: "ok" });
        }, 120_000);
    });
});
