import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    ExpectedService,
    ObservedService,
    compareService,
    digestsFromState,
    formatDifferences,
    isSecretFile,
    matchesTemplate,
    resolveImage,
    strayUnits,
    unifiedDiff,
} from "../components/drift/compare";
import { plan } from "../components/drift/expected";
import { fileFromTar } from "../components/drift/tar";
import { stackTopology } from "../components/composition";
import { jsonTemplate, secretRef, text } from "../components/spec";
import { readStackConfig } from "../scripts/stackFile";
import { ROOT } from "./harness";

// The drift check's comparison, on data: what the program would write against what a host has.

const DIGEST = `127.0.0.13:5000/mesos-cluster/zookeeper@sha256:${"a".repeat(64)}`;
const unit = `[Service]\nExecStart=/usr/bin/docker run --name=zookeeper-h11 ${DIGEST}\nRestart=always\n`;
const expected: ExpectedService = {
    host: "h11",
    service: "zookeeper",
    unit: "zookeeper-h11.service",
    containerName: "zookeeper-h11",
    image: DIGEST,
    files: [
        { path: "/d/jaas.conf", mode: "0600", uid: 1000, gid: 1000, template: { parts: ['user="zk" password="', { secret: "zk" }, '";\n'] } },
        { path: "/etc/mesos-cluster/zookeeper-h11.env", mode: "0600", uid: 0, gid: 0, template: text("ZOO_MY_ID=1\n") },
        { path: "/etc/systemd/system/zookeeper-h11.service", mode: "0644", uid: 0, gid: 0, template: text(unit) },
    ],
};
const clean = (): ObservedService => ({
    files: {
        "/d/jaas.conf": { exists: true, mode: "600", uid: 1000, gid: 1000, content: 'user="zk" password="s3cr3t-value";\n' },
        "/etc/mesos-cluster/zookeeper-h11.env": { exists: true, mode: "600", uid: 0, gid: 0, content: "ZOO_MY_ID=1\n" },
        "/etc/systemd/system/zookeeper-h11.service": { exists: true, mode: "644", uid: 0, gid: 0, content: unit },
    },
    unit: { enabled: "enabled", active: "active" },
    container: { running: true, image: DIGEST, imageId: "sha256:1111" },
    imageIdOfRef: "sha256:1111",
});
const withFile = (o: ObservedService, p: string, f: Partial<{ exists: boolean; mode: string; uid: number; gid: number; content: string }>): ObservedService => ({
    ...o,
    files: { ...o.files, [p]: { ...(o.files[p] as object), ...f } as ObservedService["files"][string] },
});
const summary = (o: ObservedService) => compareService(expected, o).map((d) => `${d.host} ${d.service} ${d.kind} ${d.subject}: ${d.detail}`);

describe("compareService", () => {
    test("a host as the program would have it: nothing", () => {
        expect(compareService(expected, clean())).toEqual([]);
    });

    test("a hand-edited unit: its host, service and a unified diff", () => {
        const edited = unit.replace("Restart=always", "Restart=no");
        const found = compareService(expected, withFile(clean(), "/etc/systemd/system/zookeeper-h11.service", { content: edited }));
        expect(found).toHaveLength(1);
        expect(found[0]).toMatchObject({ host: "h11", service: "zookeeper", kind: "file", subject: "/etc/systemd/system/zookeeper-h11.service", detail: "content differs" });
        expect(found[0].diff).toContain("-Restart=always\n+Restart=no\n");
        expect(found[0].diff).toMatch(/^--- \/etc\/systemd\/system\/zookeeper-h11.service \(the program\)\n\+\+\+ .* \(on h11\)\n@@ -1,3 \+1,3 @@\n/);
    });

    test("a key file made 0644: the mode, never its content", () => {
        expect(summary(withFile(clean(), "/d/jaas.conf", { mode: "644" }))).toEqual(["h11 zookeeper file /d/jaas.conf: mode 644, the program writes 600"]);
    });

    test("a secret file changed outside its secret's place: said, not shown; another secret value is not drift", () => {
        const found = compareService(expected, withFile(clean(), "/d/jaas.conf", { content: 'user="root" password="s3cr3t-value";\n' }));
        expect(found.map((d) => d.detail)).toEqual(["content differs outside its secrets' places (not shown: it holds the secret zk)"]);
        expect(found[0].diff).toBeUndefined();
        expect(JSON.stringify(found)).not.toContain("s3cr3t");
        expect(compareService(expected, withFile(clean(), "/d/jaas.conf", { content: 'user="zk" password="rotated";\n' }))).toEqual([]);
    });

    test("an owner-only file without a slot: its content is compared, never shown", () => {
        const found = compareService(expected, withFile(clean(), "/etc/mesos-cluster/zookeeper-h11.env", { content: "ZOO_MY_ID=1\nSECRET=hunter2\n" }));
        expect(found.map((d) => d.detail)).toEqual(["content differs (not shown: it is readable by its owner only (600))"]);
        expect(JSON.stringify(found)).not.toContain("hunter2");
    });

    test("a deleted file, a changed owner", () => {
        expect(summary(withFile(withFile(clean(), "/etc/mesos-cluster/zookeeper-h11.env", { exists: false }), "/d/jaas.conf", { uid: 0 }))).toEqual([
            "h11 zookeeper file /d/jaas.conf: owner 0:1000, the program writes 1000:1000",
            "h11 zookeeper file /etc/mesos-cluster/zookeeper-h11.env: missing",
        ]);
    });

    test("a stopped unit and its container gone; a stopped container; a disabled unit", () => {
        const stopped = { ...clean(), unit: { enabled: "enabled", active: "inactive" }, container: undefined };
        expect(summary(stopped)).toEqual(["h11 zookeeper unit zookeeper-h11.service: is inactive, the program starts it", "h11 zookeeper container zookeeper-h11: does not exist"]);
        expect(summary({ ...clean(), container: { running: false, image: DIGEST, imageId: "sha256:1111" } })).toEqual(["h11 zookeeper container zookeeper-h11: is not running"]);
        expect(summary({ ...clean(), unit: { enabled: "disabled", active: "active" } })).toEqual(["h11 zookeeper unit zookeeper-h11.service: is disabled, the program enables it"]);
        expect(summary({ ...clean(), container: undefined, imageIdOfRef: undefined })[0]).toBe(`h11 zookeeper container zookeeper-h11: does not exist (and image ${DIGEST} is not on the host)`);
    });

    test("an image swapped under its reference, another image run, the image gone", () => {
        expect(summary({ ...clean(), imageIdOfRef: "sha256:2222" })).toEqual([`h11 zookeeper image ${DIGEST}: swapped under its reference: it names sha256:2222 on the host, the container runs sha256:1111`]);
        expect(summary({ ...clean(), container: { running: true, image: "other:1", imageId: "sha256:3333" } })).toEqual([`h11 zookeeper image zookeeper-h11: runs other:1, the program deploys ${DIGEST}`]);
        expect(summary({ ...clean(), imageIdOfRef: undefined })).toEqual([`h11 zookeeper image ${DIGEST}: is no longer on the host; the container runs sha256:1111`]);
    });
});

describe("pieces", () => {
    test("matchesTemplate: text exact, slots any value, JSON slots a JSON string body", () => {
        const t = jsonTemplate({ user: "a", password: secretRef("p") });
        expect(matchesTemplate(t, '{\n  "user": "a",\n  "password": "x\\"y"\n}')).toBe(true);
        expect(matchesTemplate(t, '{\n  "user": "b",\n  "password": "x"\n}')).toBe(false);
        expect(matchesTemplate(t, '{\n  "user": "a",\n  "password": "x", "admin": "true"\n}')).toBe(false);
        expect(matchesTemplate(text("a.b\n"), "axb\n")).toBe(false);
        expect(matchesTemplate(secretRef("k"), "anything\nat all")).toBe(true);
    });

    test("isSecretFile: a slot, or owner-only", () => {
        expect(isSecretFile({ mode: "0644", template: secretRef("k") })).toBe(true);
        expect(isSecretFile({ mode: "0600", template: text("x") })).toBe(true);
        expect(isSecretFile({ mode: "0640", template: text("x") })).toBe(false);
    });

    test("unifiedDiff agrees with diff -u on the lines it changes", () => {
        const a = Array.from({ length: 30 }, (_, i) => `line ${i}`).join("\n") + "\n";
        const b = a.replace("line 3\n", "line three\n").replace("line 20\n", "").replace("line 29\n", "line 29\nline 30\n");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drift-diff-"));
        try {
            fs.writeFileSync(path.join(dir, "a"), a);
            fs.writeFileSync(path.join(dir, "b"), b);
            let real = "";
            try {
                execFileSync("diff", ["-u", "--label", "A", "--label", "B", path.join(dir, "a"), path.join(dir, "b")], { encoding: "utf8" });
            } catch (e) {
                real = (e as { stdout: string }).stdout;
            }
            expect(unifiedDiff(a, b, { from: "A", to: "B" })).toBe(real);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
        expect(unifiedDiff("x\n", "x\n", { from: "A", to: "B" })).toBe("");
    });

    test("resolveImage: the state's digest, else the unit's own with a note, never for a local image", () => {
        const tagged = "127.0.0.13:5000/mesos-cluster/zookeeper:3.9.3";
        expect(resolveImage(tagged, true, { [tagged]: DIGEST }, undefined)).toEqual({ image: DIGEST });
        const adopted = resolveImage(tagged, true, undefined, unit);
        expect(adopted.image).toBe(DIGEST);
        expect(adopted.note).toMatch(/not read here; the unit's own .* is taken/);
        expect(resolveImage(tagged, true, undefined, "ExecStart=docker run other@sha256:" + "b".repeat(64)).image).toBe(tagged);
        expect(resolveImage("mesos-cluster/registry:2", false, undefined, unit)).toEqual({ image: "mesos-cluster/registry:2" });
    });

    test("digestsFromState reads each pushed image's repoDigest from pulumi stack export", () => {
        const exported = {
            version: 3,
            deployment: {
                resources: [
                    { type: "docker:index/image:Image", outputs: { imageName: "r:5000/mesos-cluster/zookeeper:3.9.3", repoDigest: DIGEST } },
                    { type: "docker:index/image:Image", outputs: { imageName: "r:5000/x:1", repoDigest: "" } },
                    { type: "command:remote:Command", outputs: { imageName: "no" } },
                ],
            },
        };
        expect(digestsFromState(exported)).toEqual({ "r:5000/mesos-cluster/zookeeper:3.9.3": DIGEST });
        expect(digestsFromState({})).toEqual({});
    });

    test("strayUnits: a managed unit the program no longer deploys on the host", () => {
        expect(strayUnits("h11", ["zookeeper-h11.service", "zookeeper-h14.service"], [expected]).map((d) => `${d.subject}: ${d.detail}`)).toEqual([
            "zookeeper-h14.service: is marked as managed by mesos-cluster, but the program deploys no such unit on this host",
        ]);
    });

    test("formatDifferences: one line each, the diff indented under its line", () => {
        const found = compareService(expected, withFile(clean(), "/etc/systemd/system/zookeeper-h11.service", { content: unit.replace("always", "no") }));
        expect(formatDifferences(found).split("\n")[0]).toBe("h11  zookeeper  file  /etc/systemd/system/zookeeper-h11.service: content differs");
        expect(formatDifferences(found)).toContain("\n    -Restart=always\n    +Restart=no");
    });
});

describe("plan: the e2e stack's hosts as the systemd runtime deploys them", () => {
    const planned = plan(stackTopology(readStackConfig(ROOT, "e2e").values, { requireSecrets: false }));

    test("every service of every host, the pushed ones by digest, the registry's own image by tag", () => {
        expect(planned.map((p) => `${p.host}/${p.spec.service}`).sort()).toEqual(
            ["h11/agent", "h11/chronos", "h11/marathon", "h11/master", "h11/zookeeper", "h12/agent", "h12/bamboo", "h12/chronos", "h12/marathon", "h12/master", "h12/zookeeper", "h13/chronos", "h13/marathon", "h13/master", "h13/registry", "h13/zookeeper"].sort(),
        );
        expect(planned.filter((p) => !p.pushed).map((p) => p.spec.service)).toEqual(["registry"]);
        const zk = planned.find((p) => p.unit === "zookeeper-h11.service");
        expect(zk?.unitPath).toBe("/etc/systemd/system/zookeeper-h11.service");
        const e = zk?.expect(DIGEST) as ExpectedService;
        const unitFile = e.files.find((f) => f.path === zk?.unitPath);
        expect(unitFile?.template.parts.join("")).toContain(DIGEST);
        // The ZooKeeper logins are secrets: their files are compared without being shown.
        expect(e.files.filter((f) => isSecretFile(f)).length).toBeGreaterThan(1);
    });
});

describe("the registry's tag", () => {
    const pushed = { ...expected, tag: "127.0.0.13:5000/mesos-cluster/zookeeper:3.9.3" };
    const at = (o: Partial<ObservedService>) => compareService(pushed, { ...clean(), ...o }).map((d) => `${d.kind} ${d.subject}: ${d.detail}`);
    test("still naming the deployed digest: nothing; not asked: nothing", () => {
        expect(at({ registryDigest: `sha256:${"a".repeat(64)}` })).toEqual([]);
        expect(at({})).toEqual([]);
    });
    test("another image pushed under it, or the tag gone", () => {
        expect(at({ registryDigest: `sha256:${"b".repeat(64)}` })).toEqual([
            `image 127.0.0.13:5000/mesos-cluster/zookeeper:3.9.3: swapped under its tag in the registry: it names sha256:${"b".repeat(64)}, the program deployed sha256:${"a".repeat(64)}`,
        ]);
        expect(at({ registryDigest: null })).toEqual(["image 127.0.0.13:5000/mesos-cluster/zookeeper:3.9.3: is not in the registry: a host that pulls it again gets nothing"]);
    });
});

// What `docker cp CONTAINER:PATH -` writes: a tar of the one file (Go's archive/tar, a PAX record
// when a field needs one), made here by GNU tar in both forms.
describe("a file out of docker cp's tar stream", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drift-tar-"));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    fs.writeFileSync(path.join(dir, "zoo.cfg"), "tickTime=2000\nlast line\n");
    const tarOf = (format: string, extra: string[] = []) =>
        execFileSync("tar", ["-C", dir, `--format=${format}`, "--numeric-owner", "--owner=1000", "--group=1001", "--mode=0640", ...extra, "-cf", "-", "zoo.cfg"]);

    test.each(["ustar", "pax", "gnu"])("%s: mode, owner and content", (format) => {
        expect(fileFromTar(tarOf(format))).toEqual({ exists: true, mode: "640", uid: 1000, gid: 1001, content: "tickTime=2000\nlast line\n" });
    });

    test("an owner past ustar's fields comes from the PAX record", () => {
        const big = execFileSync("tar", ["-C", dir, "--format=pax", "--numeric-owner", "--owner=3000000", "--group=3000001", "-cf", "-", "zoo.cfg"]);
        expect(fileFromTar(big)).toMatchObject({ uid: 3000000, gid: 3000001 });
    });

    test("a folder, or no archive, is refused", () => {
        expect(() => fileFromTar(execFileSync("tar", ["-C", os.tmpdir(), "--no-recursion", "-cf", "-", path.basename(dir)]))).toThrow("not a regular file");
        expect(() => fileFromTar(Buffer.alloc(1024))).toThrow("no file in the archive");
    });
});
