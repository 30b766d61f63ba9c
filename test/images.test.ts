import * as fs from "fs";
import * as path from "path";
import { VERSIONS } from "../components/versions";
import { ROOT } from "./harness";

const dockerfile = (name: string) => fs.readFileSync(path.join(ROOT, "images", name, "Dockerfile"), "utf8");
const from = (name: string) => /^FROM\s+(\S+)/m.exec(dockerfile(name))?.[1];

describe("images are thin layers on pinned upstream versions", () => {
    test.each([
        ["zookeeper", "debian:bookworm-slim", VERSIONS.zookeeper],
        ["mesos-master", `mesosphere/mesos-master:${VERSIONS.mesos}`, VERSIONS.mesos],
        ["mesos-agent", `mesosphere/mesos-slave:${VERSIONS.mesos}`, VERSIONS.mesos],
        ["marathon", `mesosphere/marathon:v${VERSIONS.marathon}`, VERSIONS.marathon],
        ["chronos", `mesosphere/chronos:v${VERSIONS.chronos}`, VERSIONS.chronos],
    ])("%s is FROM %s and labelled %s", (name, base, version) => {
        expect(from(name)).toBe(base);
        expect(dockerfile(name)).toContain(`org.opencontainers.image.version="${version}"`);
    });

    test("ZooKeeper comes from Debian's package and renders its config at start", () => {
        const file = dockerfile("zookeeper");
        expect(file).toMatch(/apt-get install[^\n]* zookeeper /);
        expect(file).toMatch(/ENTRYPOINT \["\/usr\/local\/bin\/zookeeper-entrypoint"\]/);
        expect(fs.statSync(path.join(ROOT, "images", "zookeeper", "entrypoint.sh")).isFile()).toBe(true);
    });
});
