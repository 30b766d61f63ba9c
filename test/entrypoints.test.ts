import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CHRONOS_MAIL_PASSWORD_FILE } from "../components/services/chronos";
import { service } from "../components/services";
import { ROOT } from "./harness";

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

    const run = (passwordFile: string) =>
        spawnSync("sh", [script, "--master=zk://h:2181/mesos", "--cluster_name=a b", "--mail_user=ops"], {
            encoding: "utf8",
            env: { PATH: process.env.PATH, JAVA: java, MAIL_PASSWORD_FILE: passwordFile, PORT0: "4400", PORT1: "4401", JVM_OPTS: "-Xmx512m -Dx=y" },
        });
    const jar = ["-Xmx512m", "-Dx=y", "-jar", "/chronos/chronos.jar"];

    test("arguments kept whole, the mail password appended as one argument, --http_port from PORT0 last", () => {
        const file = path.join(dir, "mail-password");
        fs.writeFileSync(file, "p4ss word $HOME 'q'\n", { mode: 0o600 });
        const r = run(file);
        expect(r.status).toBe(0);
        expect(r.stdout.split("\n").slice(0, -1)).toEqual([
            "LIBPROCESS_PORT=4401",
            ...jar,
            "--master=zk://h:2181/mesos",
            "--cluster_name=a b",
            "--mail_user=ops",
            "--mail_password",
            "p4ss word $HOME 'q'",
            "--http_port",
            "4400",
        ]);
    });

    test("nothing appended but the port without the file", () => {
        expect(run(path.join(dir, "absent")).stdout).toBe(
            ["LIBPROCESS_PORT=4401", ...jar, "--master=zk://h:2181/mesos", "--cluster_name=a b", "--mail_user=ops", "--http_port", "4400", ""].join("\n"),
        );
    });

    test("the file the entrypoint reads is the one the program mounts", () => {
        expect(fs.readFileSync(script, "utf8")).toContain(`MAIL_PASSWORD_FILE:-${CHRONOS_MAIL_PASSWORD_FILE}}`);
    });
});
