import { parseConfig } from "../components/config";
import { BAMBOO_ZK_PATH, HAPROXY_CONFIG, HAPROXY_FRONT, HAPROXY_INITIAL, bamboo } from "../components/services/bamboo";
import { HAPROXY_STATS_PATH, renderBambooFront, renderHaproxyInitial, renderHaproxyTemplate } from "../components/services/haproxy";
import { fillTemplate, showTemplate } from "../components/spec";
import { buildTopology } from "../components/composition";
import { Topology } from "../components/topology";
import { TemplateData, cleanUp, haproxyCheck, renderTemplate } from "./bamboo/tools";
import { toolAvailable } from "./tools/available";
import { emitted } from "./emitted";
import { evaluate, plain, secretKeys, stackConfig, stackNames } from "./harness";

// Bamboo's configuration for every stack that routes, read back from what the program emits,
// and its HAProxy template rendered through Go's text/template (as Bamboo renders it) with
// Marathon-shaped apps, then checked by Debian's `haproxy -c`.

const topologyOf = (stack: string) => buildTopology(parseConfig(stackConfig(stack), { secretKeys: new Set(secretKeys()) }));
const routed = stackNames().filter((s) => topologyOf(s).roles.bambooHosts.length > 0);
const haproxy = toolAvailable("haproxy", "haproxy") ? test : test.skip;
const go = toolAvailable("go", "golang-go") ? haproxy : test.skip;

afterAll(cleanUp);

/** Apps as Bamboo hands them to the template: tasks on the stack's agents, service ports from its range. */
function sampleApps(t: Topology): TemplateData {
    const [a, b] = [t.agents[0], t.agents[t.agents.length - 1]];
    const task = t.ranges.agentTasks.first;
    const service = t.ranges.service.first;
    return {
        Apps: [
            // Routed by host name and by service port, health-checked.
            {
                Id: "/web",
                EscapedId: "::web",
                HealthCheckPath: "/health",
                ServicePort: service,
                Tasks: [
                    { Host: a.address, Port: task },
                    { Host: b.address, Port: task + 1 },
                ],
            },
            // An app in a group, by service port only.
            { Id: "/shop/api", EscapedId: "::shop::api", ServicePort: service + 1, Tasks: [{ Host: a.address, Port: task + 2 }] },
            // A host rule but no running task: no rule may point at an empty backend.
            { Id: "/idle", EscapedId: "::idle", ServicePort: service + 2, Tasks: [] },
        ],
        Services: {
            "/web": { Id: "/web", Acl: "hdr(host) -i web.example.com" },
            "/idle": { Id: "/idle", Acl: "hdr(host) -i idle.example.com" },
        },
    };
}

test("at least one stack routes, so the checks below run", () => {
    expect(routed.length).toBeGreaterThan(0);
});

describe.each(routed)("stack %s: Bamboo under mocks", (stack) => {
    const t = topologyOf(stack);

    test("Bamboo runs where bambooHosts says, with production.json from the topology", async () => {
        const e = await evaluate(stackConfig(stack), stack);
        const bamboos = emitted(e).filter((s) => s.label === "bamboo");
        expect(bamboos.map((s) => s.host).sort()).toEqual(t.roles.bambooHosts.map((h) => h.name));
        const auth = t.config.authentication;
        const password = auth ? (plain(e.byName("mesos-operator-password").outputs.result) as string) : undefined;
        for (const s of bamboos) {
            const host = t.roles.bambooHosts.find((h) => h.name === s.host)!;
            const config = JSON.parse(s.files["/etc/bamboo/production.json"].content);
            // Every Marathon, so that Bamboo survives any one master.
            expect(config.Marathon.Endpoint.split(",")).toEqual(t.masters.map((m) => `http://${m.address}:${t.config.marathonPort}`));
            expect(config.Marathon.UseEventStream).toBe(true);
            // Marathon needs the operator's login: from the file, not from variables (Bamboo logs those).
            expect([config.Marathon.User, config.Marathon.Password]).toEqual(auth ? ["operator", password] : [undefined, undefined]);
            expect(s.files["/etc/bamboo/production.json"].mode).toBe(auth ? "0600" : "0644");
            expect(Object.keys(s.env)).toEqual([]);
            expect(config.Bamboo.Endpoint).toBe(`http://${host.address}:${t.config.bambooPort}`);
            expect(config.Bamboo.Zookeeper).toEqual({ Host: t.masters.map((m) => `${m.address}:2181`).join(","), Path: BAMBOO_ZK_PATH, ReportingDelay: 5 });
            expect(config.HAProxy).toEqual({
                TemplatePath: "/etc/bamboo/haproxy_template.cfg",
                OutputPath: HAPROXY_CONFIG,
                ReloadValidationCommand: auth ? `haproxy -c -q -f {{.}} -f ${HAPROXY_FRONT}` : "haproxy -c -q -f {{.}}",
                ReloadCommand: "haproxy-reload",
                ReloadCleanupCommand: "true",
            });
            // With authentication, Bamboo on loopback only, behind HAProxy's front on Bamboo's port.
            const bind = auth ? `127.0.0.1:${t.config.bambooLocalPort}` : `${host.address}:${t.config.bambooPort}`;
            expect(s.args).toEqual([`-bind=${bind}`, "-config=/etc/bamboo/production.json", "-log=/var/log/bamboo/bamboo.log"]);
            if (auth) {
                const front = s.files[HAPROXY_FRONT];
                expect(front.mode).toBe("0600");
                expect(front.content).toBe(fillTemplate(renderBambooFront({ address: host.address, port: t.config.bambooPort, localPort: t.config.bambooLocalPort }), { "operator-password": password as string }));
                expect(front.content).toContain(`    user operator insecure-password ${password}\n`);
                expect(front.content).toContain(`    bind ${host.address}:${t.config.bambooPort}\n`);
                expect(front.content).toContain(`    server bamboo 127.0.0.1:${t.config.bambooLocalPort}\n`);
                // Neither the template nor the config Bamboo renders holds the login.
                for (const f of ["/etc/bamboo/haproxy_template.cfg", HAPROXY_INITIAL]) {
                    expect(s.files[f].content).not.toContain(password as string);
                }
            } else {
                expect(s.files[HAPROXY_FRONT]).toBeUndefined();
            }
            // Bamboo's log on the host, under the data root.
            expect(s.volumes.some((v) => v.endsWith(":/var/log/bamboo"))).toBe(true);
            expect(s.files["/etc/bamboo/haproxy_template.cfg"].content).toBe(renderHaproxyTemplate({ address: host.address, httpPort: t.config.haproxyHttpPort }));
            expect(s.files[HAPROXY_INITIAL].content).toBe(renderHaproxyInitial({ address: host.address, httpPort: t.config.haproxyHttpPort }));
        }
        // Marathon hands out service ports from the range HAProxy binds.
        for (const m of emitted(e).filter((s) => s.label === "marathon")) {
            expect(m.args).toEqual(expect.arrayContaining([`--local_port_min=${t.ranges.service.first}`, `--local_port_max=${t.ranges.service.last}`]));
        }
    });

    haproxy("the config HAProxy starts with passes haproxy -c", () => {
        for (const host of t.roles.bambooHosts) {
            const spec = bamboo.spec(t, host);
            const initial = showTemplate(spec.files.find((f) => f.container === HAPROXY_INITIAL)!.template);
            expect(haproxyCheck(initial)).toEqual({ status: 0, output: expect.stringContaining("Configuration file is valid") });
            expect(initial).toContain(`bind ${host.address}:${t.config.haproxyHttpPort}`);
            expect(initial).toContain(`stats uri ${HAPROXY_STATS_PATH}`);
        }
    });

    haproxy("the front for Bamboo passes haproxy -c alone, beside the initial config and beside a config Bamboo renders, as the entrypoint and Bamboo's validation load them", () => {
        if (!t.config.authentication) {
            return;
        }
        for (const host of t.roles.bambooHosts) {
            const spec = bamboo.spec(t, host);
            const front = fillTemplate(spec.files.find((f) => f.container === HAPROXY_FRONT)!.template, { "operator-password": "Pa55word0123" });
            const initial = showTemplate(spec.files.find((f) => f.container === HAPROXY_INITIAL)!.template);
            for (const configs of [[front], [initial, front]]) {
                const check = haproxyCheck(configs[0], ...configs.slice(1));
                expect({ status: check.status, output: check.output }).toEqual({ status: 0, output: expect.stringContaining("Configuration file is valid") });
            }
        }
    });

    go("the template, rendered as Bamboo renders it, passes haproxy -c with no apps and with apps", () => {
        for (const host of t.roles.bambooHosts) {
            const template = renderHaproxyTemplate({ address: host.address, httpPort: t.config.haproxyHttpPort });
            const empty = renderTemplate(template, { Apps: [], Services: {} });
            expect(haproxyCheck(empty).status).toBe(0);

            const data = sampleApps(t);
            const config = renderTemplate(template, data);
            const check = haproxyCheck(config);
            expect({ status: check.status, output: check.output }).toEqual({ status: 0, output: expect.stringContaining("Configuration file is valid") });
            if (t.config.authentication) {
                // Beside the front, as Bamboo's ReloadValidationCommand checks it.
                const front = fillTemplate(renderBambooFront({ address: host.address, port: t.config.bambooPort, localPort: t.config.bambooLocalPort }), { "operator-password": "Pa55word0123" });
                expect(haproxyCheck(config, front).status).toBe(0);
            }
            // HTTP by host rule, to both tasks, health-checked.
            expect(config).toContain("acl ::web-rule hdr(host) -i web.example.com");
            expect(config).toContain("use_backend ::web-http if ::web-rule");
            expect(config).toContain("option httpchk GET /health");
            for (const task of data.Apps[0].Tasks) {
                expect(config).toContain(`server ${task.Host}-${task.Port} ${task.Host}:${task.Port} check inter 10s`);
            }
            // TCP by service port, on this host's address only.
            expect(config).toContain(`listen ::web-${t.ranges.service.first}\n    bind ${host.address}:${t.ranges.service.first}`);
            expect(config).toContain(`listen ::shop::api-${t.ranges.service.first + 1}\n    bind ${host.address}:${t.ranges.service.first + 1}`);
            // Nothing for the app without tasks.
            expect(config).not.toContain("::idle");
        }
    });
});

haproxy("haproxy -c does catch a broken config (a negative control)", () => {
    const broken = `${renderHaproxyInitial({ address: "127.0.0.1", httpPort: 80 })}    use_backend missing-http if TRUE\n`;
    const check = haproxyCheck(broken);
    expect(check.status).not.toBe(0);
    expect(check.output).toMatch(/missing-http/);
});
