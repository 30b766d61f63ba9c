import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs } from "@pulumi/policy";
import { COMMAND_TYPE, CONTAINER_TYPE, parseBundle } from "../components/runtimes/inspect";
import { bundle } from "../components/runtimes/systemd";
import {
    noMesosContainerNames,
    noSecretsInEnvironment,
    operatorApisAuthenticated,
    privilegeOnlyOnAgents,
    resourcePolicies,
    restartPolicy,
    stackPolicies,
    statefulServicesPersist,
} from "../policy/policies";
import { Evaluation, evaluate, plain, stackConfig, stackNames } from "./harness";

interface Res {
    type: string;
    name: string;
    urn: string;
    props: Record<string, any>;
}

function violations(policy: ResourceValidationPolicy, r: Res): string[] {
    const found: string[] = [];
    const validate = policy.validateResource as (args: ResourceValidationArgs, report: (m: string) => void) => void;
    validate({ type: r.type, name: r.name, urn: r.urn, props: r.props } as ResourceValidationArgs, (m) => found.push(m));
    return found;
}

function stackViolations(resources: Res[]): string[] {
    const found: string[] = [];
    for (const policy of stackPolicies) {
        const validate = policy.validateStack as (args: StackValidationArgs, report: (m: string) => void) => void;
        validate({ resources: resources as unknown as PolicyResource[] } as StackValidationArgs, (m) => found.push(m));
    }
    return found;
}

const resourcesOf = (e: Evaluation): Res[] => e.resources.map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: plain(r.inputs) }));
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

/** A copy of a resource with its unit's text (systemd) changed. */
function withUnit(r: Res, change: (unit: string) => string): Res {
    const files = [...parseBundle(r.props.stdin).entries()].map(([path, f]) => ({ path, mode: f.mode, content: path.endsWith(".service") ? change(f.content) : f.content }));
    return { ...r, props: { ...r.props, stdin: bundle(files) } };
}

/** A copy of a resource with its env file (systemd) changed. */
function withEnvFile(r: Res, extra: string): Res {
    const files = [...parseBundle(r.props.stdin).entries()].map(([path, f]) => ({ path, mode: f.mode, content: path.endsWith(".env") ? `${f.content}${extra}\n` : f.content }));
    return { ...r, props: { ...r.props, stdin: bundle(files) } };
}

describe.each(stackNames().flatMap((s) => [[s, "docker"], [s, "systemd"]]))("stack %s on the %s runtime passes every policy", (stack, runtime) => {
    test("no violation", async () => {
        const e = await evaluate({ ...stackConfig(stack), "mesos-cluster:runtime": runtime, "mesos-cluster:engine": "ssh" }, stack);
        const resources = resourcesOf(e);
        const found = resources.flatMap((r) => resourcePolicies.flatMap((p) => violations(p, r)));
        expect([...found, ...stackViolations(resources)]).toEqual([]);
        // The policies did look at services: every container or command is one.
        expect(resources.filter((r) => r.type === CONTAINER_TYPE || r.type === COMMAND_TYPE).length).toBeGreaterThan(0);
    });
});

describe("each policy fails what it should", () => {
    let docker: Res[];
    let systemd: Res[];
    const find = (rs: Res[], name: string) => {
        const r = rs.find((x) => x.name === name);
        if (r === undefined) {
            throw new Error(`no ${name}`);
        }
        return clone(r);
    };

    beforeAll(async () => {
        docker = resourcesOf(await evaluate({ ...stackConfig("ha") }, "ha"));
        systemd = resourcesOf(await evaluate({ ...stackConfig("prod") }, "prod"));
    });

    test("odd masters and a majority quorum", () => {
        const masters = docker.filter((r) => r.name.startsWith("mesos-master-") && r.type === CONTAINER_TYPE);
        expect(stackViolations(docker)).toEqual([]);
        const even = docker.filter((r) => r !== masters[0]);
        expect(stackViolations(even).join("\n")).toMatch(/2 Mesos masters: an even count/);
        const minority = docker.map((r) => (r === masters[1] ? { ...r, props: { ...r.props, command: r.props.command.map((a: string) => (a.startsWith("--quorum=") ? "--quorum=1" : a)) } } : r));
        expect(stackViolations(minority).join("\n")).toMatch(/mesos-master-m2-container: --quorum=1 but 3 masters need a quorum of 2/);
        const units = systemd.map((r) => (r.name === "mesos-master-m3-unit" ? withUnit(r, (u) => u.replace("--quorum=2", "--quorum=3")) : r));
        expect(stackViolations(units).join("\n")).toMatch(/mesos-master-m3-unit: --quorum=3 but 3 masters need a quorum of 2/);
    });

    test("no mesos- container names", () => {
        const c = find(docker, "mesos-zookeeper-m1-container");
        expect(violations(noMesosContainerNames, c)).toEqual([]);
        c.props.name = "mesos-zookeeper";
        expect(violations(noMesosContainerNames, c)).toEqual([expect.stringMatching(/mesos-zookeeper: the name starts with "mesos-"/)]);
        const u = withUnit(find(systemd, "mesos-marathon-m1-unit"), (t) => t.replace("--name=marathon-m1", "--name=mesos-marathon"));
        expect(violations(noMesosContainerNames, u)).toEqual([expect.stringMatching(/starts with "mesos-"/)]);
    });

    test("privileges and the Docker socket only on agents", () => {
        expect(violations(privilegeOnlyOnAgents, find(docker, "mesos-agent-a1-container"))).toEqual([]);
        const zk = find(docker, "mesos-zookeeper-m1-container");
        zk.props.privileged = true;
        expect(violations(privilegeOnlyOnAgents, zk).join("\n")).toMatch(/runs privileged but is not a Mesos agent \(service "zookeeper"\)/);
        const marathon = find(docker, "mesos-marathon-m1-container");
        marathon.props.volumes.push({ hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock" });
        expect(violations(privilegeOnlyOnAgents, marathon).join("\n")).toMatch(/mounts the Docker socket/);
        const u = withUnit(find(systemd, "mesos-chronos-m2-unit"), (t) => t.replace("--net=host", "--net=host \\\n    --privileged"));
        expect(violations(privilegeOnlyOnAgents, u).join("\n")).toMatch(/runs privileged/);
    });

    test("stateful services on host volumes", () => {
        const zk = find(docker, "mesos-zookeeper-m1-container");
        expect(violations(statefulServicesPersist, zk)).toEqual([]);
        zk.props.volumes = zk.props.volumes.filter((v: { containerPath: string }) => v.containerPath !== "/var/lib/zookeeper/data");
        expect(violations(statefulServicesPersist, zk).join("\n")).toMatch(/keeps its state in \/var\/lib\/zookeeper\/data, which is not a host volume/);
        const u = withUnit(find(systemd, "mesos-master-m1-unit"), (t) => t.replace(/ \\\n\s*--volume=[^ ]*:\/var\/lib\/mesos\/master/, ""));
        expect(violations(statefulServicesPersist, u).join("\n")).toMatch(/master keeps its state in \/var\/lib\/mesos\/master/);
        const registry = find(docker, "mesos-registry-m1-container");
        expect(violations(statefulServicesPersist, registry)).toEqual([]);
        registry.props.volumes = [];
        expect(violations(statefulServicesPersist, registry).join("\n")).toMatch(/registry keeps its state in \/var\/lib\/registry, which is not a host volume/);
    });

    test("no secrets in container environments or arguments", () => {
        const c = find(docker, "mesos-chronos-m1-container");
        expect(violations(noSecretsInEnvironment, c)).toEqual([]);
        c.props.envs = [...c.props.envs, "MAIL_PASSWORD=hunter2"];
        expect(violations(noSecretsInEnvironment, c).join("\n")).toMatch(/environment variable MAIL_PASSWORD looks like a secret/);
        const args = find(docker, "mesos-chronos-m2-container");
        args.props.command = [...args.props.command, "--mail_password=hunter2"];
        expect(violations(noSecretsInEnvironment, args).join("\n")).toMatch(/argument --mail_password passes a secret on the command line/);
        const u = withEnvFile(find(systemd, "mesos-master-m1-unit"), "MESOS_CREDENTIAL_SECRET=abc");
        expect(violations(noSecretsInEnvironment, u).join("\n")).toMatch(/MESOS_CREDENTIAL_SECRET looks like a secret/);
    });

    test("operator APIs need a login", async () => {
        for (const r of [...docker, ...systemd]) {
            expect({ r: r.name, found: violations(operatorApisAuthenticated, r) }).toEqual({ r: r.name, found: [] });
        }
        const master = find(docker, "mesos-master-m1-container");
        master.props.command = master.props.command.filter((a: string) => a !== "--authenticate_http_readonly");
        expect(violations(operatorApisAuthenticated, master)).toEqual([expect.stringMatching(/the master's HTTP endpoints accept anyone: no --authenticate_http_readonly\.$/)]);
        const agent = find(docker, "mesos-agent-a1-container");
        agent.props.uploads = agent.props.uploads.filter((u: { file: string }) => u.file !== "/etc/mesos/http-credentials.json");
        expect(violations(operatorApisAuthenticated, agent)).toEqual([expect.stringMatching(/no --http_credentials file \(\/etc\/mesos\/http-credentials\.json is not mounted\): nobody can log in/)]);
        const marathon = find(docker, "mesos-marathon-m2-container");
        marathon.props.uploads = marathon.props.uploads.filter((u: { file: string }) => u.file !== "/etc/marathon/http-credentials");
        expect(violations(operatorApisAuthenticated, marathon)).toEqual([expect.stringMatching(/marathon's API accepts anyone: no login file \/etc\/marathon\/http-credentials/)]);
        const bamboo = find(docker, "mesos-bamboo-e1-container");
        bamboo.props.command = bamboo.props.command.map((a: string) => (a.startsWith("-bind=") ? "-bind=10.0.0.31:8001" : a));
        expect(violations(operatorApisAuthenticated, bamboo)).toEqual([expect.stringMatching(/Bamboo listens on 10\.0\.0\.31:8001, where its API is reached without the front's login/)]);
        const chronos = withUnit(find(systemd, "mesos-chronos-m1-unit"), (t) => t.replace(/ \\\n\s*--volume=[^ ]*:\/etc\/chronos\/http-credentials:ro/, ""));
        expect(violations(operatorApisAuthenticated, chronos)).toEqual([expect.stringMatching(/chronos's API accepts anyone/)]);
        // The operator's choice, authentication off: every operator API is open, and the pack says so.
        const open = resourcesOf(await evaluate({ ...stackConfig("ha"), "mesos-cluster:authentication": "false" }, "ha"));
        const byService = (label: string) => open.filter((r) => r.name.startsWith(`mesos-${label}-`) && r.type === CONTAINER_TYPE).flatMap((r) => violations(operatorApisAuthenticated, r));
        expect(byService("master")).toHaveLength(3 * 2);
        expect(byService("master")[0]).toMatch(/^master-m1: the master's HTTP endpoints accept anyone: no --authenticate_http_readwrite or --authenticate_http_readonly\./);
        expect(byService("agent")).toHaveLength(3 * 2);
        expect(byService("marathon")).toHaveLength(3);
        expect(byService("chronos")).toHaveLength(3);
        expect(byService("bamboo")).toHaveLength(2 * 2);
        // Read-only endpoints left open is a violation too.
        const readable = resourcesOf(await evaluate({ ...stackConfig("ha"), "mesos-cluster:readonlyAuthentication": "false" }, "ha"));
        expect(readable.flatMap((r) => violations(operatorApisAuthenticated, r)).join("\n")).toMatch(/no --authenticate_http_readonly\./);
    }, 60_000);

    test("a restart policy on every long-running service", () => {
        const c = find(docker, "mesos-master-m1-container");
        expect(violations(restartPolicy, c)).toEqual([]);
        c.props.restart = "no";
        expect(violations(restartPolicy, c).join("\n")).toMatch(/restart is "no": a crashed master would stay down/);
        const u = withUnit(find(systemd, "mesos-zookeeper-m1-unit"), (t) => t.replace("Restart=always", "Restart=no"));
        expect(violations(restartPolicy, u).join("\n")).toMatch(/restart is "no"/);
    });

    test("values not known yet (a preview before secrets exist) are skipped, not failed", () => {
        const u = find(systemd, "mesos-master-m1-unit");
        u.props.stdin = undefined;
        for (const p of resourcePolicies) {
            expect(violations(p, u)).toEqual([]);
        }
    });
});

describe("the pull-request workflow", () => {
    const root = path.resolve(__dirname, "..");
    const workflow = parse(fs.readFileSync(path.join(root, ".github/workflows/preview.yml"), "utf8"));

    test("previews every deployable stack with the policy pack and comments on the pull request", () => {
        expect(Object.keys(workflow.on)).toEqual(["pull_request"]);
        const preview = workflow.jobs.preview;
        expect(preview.strategy.matrix.stack.sort()).toEqual(stackNames().filter((s) => s !== "e2e"));
        const step = preview.steps.find((s: { uses?: string }) => s.uses?.startsWith("pulumi/actions@"));
        expect(step.with).toMatchObject({ command: "preview", policyPacks: "policy", "comment-on-pr": true });
        expect(workflow.permissions["pull-requests"]).toBe("write");
    });

    test("the pack is a Pulumi policy pack over the same policies", () => {
        expect(parse(fs.readFileSync(path.join(root, "policy/PulumiPolicy.yaml"), "utf8")).runtime).toBe("nodejs");
        expect(fs.readFileSync(path.join(root, "policy/index.ts"), "utf8")).toMatch(/new PolicyPack\("mesos-cluster", \{\s*policies: \[\.\.\.stackPolicies, \.\.\.resourcePolicies\]/);
        expect(resourcePolicies.length + stackPolicies.length).toBe(7);
    });
});
