import * as fs from "fs";
import * as path from "path";
import { renderHaproxyTemplate } from "../components/services/haproxy";
import { bambooServicePorts, cleanUp, haproxyCheck, renderTemplate } from "./bamboo/tools";
import { toolAvailable } from "./tools/available";
import { ROOT } from "./harness";

// Marathon 1.7 and later write an app's service ports in portDefinitions (host networking) or
// container.portMappings (bridge and container networking), never in "ports" (raml/AppConversion.scala
// at v1.8.244 L61-62; appContainer.raml L194-200); Bamboo 0.2.21 reads only "ports"
// (services/marathon/marathon.go L94, L221). The Bamboo image adds one file to Bamboo's source
// (images/bamboo/patch/marathon_service_ports.go), compiled here into a stand-in of Bamboo's package.
const suite = toolAvailable("go", "golang-go") ? describe : describe.skip;

/** /v2/apps as Marathon 1.8 answers it (fields from its RAML: app.raml, appContainer.raml at v1.8.244). */
const apps = JSON.stringify({
    apps: [
        {
            id: "/web",
            networks: [{ mode: "host" }],
            portDefinitions: [
                { port: 10000, protocol: "tcp", name: "http", labels: {} },
                { port: 10002, protocol: "tcp", name: "admin", labels: {} },
            ],
            healthChecks: [{ protocol: "HTTP", path: "/", portIndex: 0 }],
            env: {},
            labels: {},
        },
        {
            id: "/bridged",
            networks: [{ mode: "container/bridge" }],
            container: { type: "DOCKER", docker: { image: "nginx" }, portMappings: [{ containerPort: 80, hostPort: 0, servicePort: 10001, protocol: "tcp" }] },
            healthChecks: [],
        },
        // The form before Marathon 1.5: the mappings under container.docker.
        { id: "/older", container: { type: "DOCKER", docker: { image: "nginx", network: "BRIDGE", portMappings: [{ containerPort: 80, servicePort: 10003 }] } } },
        // An answer that still has "ports" (Marathon before 1.7): taken as it is, as Bamboo does.
        { id: "/legacy", ports: [10004], portDefinitions: [{ port: 19999 }] },
        { id: "/none", networks: [{ mode: "host" }], portDefinitions: [] },
    ],
});

suite("Bamboo's service ports from Marathon 1.8's apps", () => {
    afterAll(() => cleanUp());

    test("Bamboo alone finds none: the finding, with the stand-in of its package and no file of ours", () => {
        expect(bambooServicePorts(apps, false)).toEqual({ "/web": [], "/bridged": [], "/older": [], "/legacy": [10004], "/none": [] });
    }, 300_000);

    test("with the image's file, every app's service ports, from wherever Marathon wrote them", () => {
        expect(bambooServicePorts(apps)).toEqual({ "/web": [10000, 10002], "/bridged": [10001], "/older": [10003], "/legacy": [10004], "/none": [] });
    }, 300_000);

    test("an app's first service port becomes a TCP listener in the HAProxy config the program's template renders", () => {
        const ports = bambooServicePorts(apps);
        const config = renderTemplate(renderHaproxyTemplate({ address: "10.0.0.31", httpPort: 80 }), {
            Apps: [{ Id: "/bridged", EscapedId: "::bridged", ServicePort: ports["/bridged"][0], Tasks: [{ Host: "10.0.0.41", Port: 31001 }] }],
            Services: {},
        });
        expect(config).toMatch(/bind 10\.0\.0\.31:10001\b/);
        if (toolAvailable("haproxy", "haproxy")) {
            expect(haproxyCheck(config).status).toBe(0);
        }
    }, 300_000);

    test("the image's build adds the file to Bamboo's services/marathon package before it compiles", () => {
        const dockerfile = fs.readFileSync(path.join(ROOT, "images", "bamboo", "Dockerfile"), "utf8");
        const apply = dockerfile.indexOf("RUN sh /patch/apply.sh /patch");
        expect(apply).toBeGreaterThan(dockerfile.indexOf("tar -xz"));
        expect(apply).toBeLessThan(dockerfile.indexOf("go build"));
        expect(fs.readFileSync(path.join(ROOT, "images", "bamboo", "patch", "apply.sh"), "utf8")).toContain('cp "$patch/marathon_service_ports.go" services/marathon/\n');
    });
});
