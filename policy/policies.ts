/* eslint-disable @typescript-eslint/no-explicit-any -- resource inputs are untyped JSON, read defensively */
import { ReportViolation, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { ServiceView, inspectService } from "../components/runtimes/inspect";
import { OPERATOR_LOGIN_FILES } from "../components/services/credentials";

// Review policies for `pulumi preview --policy-pack policy`. They read the resources' inputs
// only (a Docker container, or the unit a remote.Command writes), so they check what would be
// deployed, whatever program produced it. Values not known yet in a preview are skipped.

/** The service a resource runs, or undefined. */
const view = (type: string, props: Record<string, any>): ServiceView | undefined => inspectService(type, props);

const flag = (v: ServiceView, name: string) => v.args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

export const oddMastersMajorityQuorum: StackValidationPolicy = {
    name: "mesos-odd-masters-majority-quorum",
    description: "Mesos masters come in an odd number, and each one's --quorum is a strict majority of them.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const masters = args.resources.map((r) => ({ r, v: view(r.type, r.props) })).filter(({ v }) => v?.service === "master");
        if (masters.length === 0) {
            return;
        }
        if (masters.length % 2 === 0) {
            reportViolation(`${masters.length} Mesos masters: an even count tolerates no more failures than one fewer and risks split brain; use 1, 3, 5 or 7.`);
        }
        const majority = Math.floor(masters.length / 2) + 1;
        for (const { r, v } of masters) {
            const quorum = flag(v as ServiceView, "quorum");
            if (quorum !== String(majority)) {
                reportViolation(`${r.name}: --quorum=${quorum ?? "(unset)"} but ${masters.length} masters need a quorum of ${majority}.`, r.urn);
            }
        }
    },
};

/** A resource policy over the services resources run. */
function servicePolicy(
    name: string,
    description: string,
    check: (v: ServiceView, report: (message: string) => void) => void,
): ResourceValidationPolicy {
    return {
        name,
        description,
        enforcementLevel: "mandatory",
        validateResource: (args, reportViolation: ReportViolation) => {
            const v = view(args.type, args.props);
            if (v !== undefined) {
                check(v, (message) => reportViolation(`${v.containerName || args.name}: ${message}`));
            }
        },
    };
}

export const noMesosContainerNames = servicePolicy(
    "no-mesos-container-names",
    "No container is named mesos-…: a Mesos agent's Docker containerizer kills such containers as its own.",
    (v, report) => {
        if (v.containerName.startsWith("mesos-")) {
            report(`the name starts with "mesos-", so a Mesos agent on this host would kill it; rename it.`);
        }
    },
);

export const privilegeOnlyOnAgents = servicePolicy(
    "privileged-and-docker-socket-only-on-agents",
    "Only Mesos agents run privileged or mount the Docker socket.",
    (v, report) => {
        if (v.service === "agent") {
            return;
        }
        if (v.privileged) {
            report(`runs privileged but is not a Mesos agent (service "${v.service || "unlabelled"}").`);
        }
        if (v.volumes.some((m) => m.split(":")[0] === "/var/run/docker.sock")) {
            report(`mounts the Docker socket, which is root on the host, but is not a Mesos agent.`);
        }
    },
);

/** Where each stateful service keeps what it must not lose. */
const STATE: Record<string, (v: ServiceView) => string | undefined> = {
    zookeeper: () => "/var/lib/zookeeper/data",
    master: (v) => flag(v, "work_dir"),
    agent: (v) => flag(v, "work_dir"),
    // The registry's images: pushed once, pulled by every host.
    registry: () => "/var/lib/registry",
};

export const statefulServicesPersist = servicePolicy(
    "stateful-services-persist-data",
    "ZooKeeper's data, the Mesos masters' and agents' work_dir and the registry's storage live on host volumes.",
    (v, report) => {
        const where = STATE[v.service];
        if (where === undefined) {
            return;
        }
        const dir = where(v);
        if (dir === undefined) {
            report(`${v.service} has no --work_dir; it would keep its state inside the container.`);
        } else if (!v.volumes.some((m) => m.split(":")[1] === dir)) {
            report(`${v.service} keeps its state in ${dir}, which is not a host volume: a replaced container loses it.`);
        }
    },
);

const SECRET_NAME = /PASSWORD|PASSWD|SECRET|TOKEN|CREDENTIAL|PRIVATE_KEY|API_KEY/i;

export const noSecretsInEnvironment = servicePolicy(
    "no-plaintext-secrets-in-container-env",
    "No container environment carries a secret: secrets go in mounted files (mode 0600).",
    (v, report) => {
        for (const [key, value] of Object.entries(v.env)) {
            if (SECRET_NAME.test(key)) {
                report(`environment variable ${key} looks like a secret; mount it as a file instead.`);
            } else if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(value)) {
                report(`environment variable ${key} holds a private key.`);
            }
        }
        for (const arg of v.args) {
            if (/^--[a-z_]*(password|secret)(=|$)/.test(arg) && !/_file=/.test(arg)) {
                report(`argument ${arg.split("=")[0]} passes a secret on the command line; use its _file form or a mounted file.`);
            }
        }
    },
);

/**
 * The operator APIs ask for a login: anyone who reaches them could otherwise tear down
 * frameworks, schedule maintenance, set quota, read every task's environment, start apps or
 * route traffic. Read from what would run: the Mesos daemons' flags and the files they name,
 * the login files Marathon's and Chronos's entrypoints read, and Bamboo's HAProxy front.
 */
export const operatorApisAuthenticated = servicePolicy(
    "operator-apis-authenticated",
    "The operator APIs need a login: the Mesos masters' and agents' HTTP endpoints (read-write and read-only) with their credentials file, Marathon's and Chronos's APIs with their login file, and Bamboo's API behind HAProxy's front with its userlist.",
    (v, report) => {
        if (v.service === "master" || v.service === "agent") {
            const missing = ["authenticate_http_readwrite", "authenticate_http_readonly"].filter((f) => !v.args.includes(`--${f}`));
            if (missing.length > 0) {
                report(`the ${v.service}'s HTTP endpoints accept anyone: no ${missing.map((f) => `--${f}`).join(" or ")}.`);
            }
            // The master's HTTP logins are its --credentials (it has no --http_credentials).
            const option = v.service === "master" ? "credentials" : "http_credentials";
            const file = flag(v, option);
            if (file === undefined || !(file in v.files)) {
                report(`no --${option} file${file === undefined ? "" : ` (${file} is not mounted)`}: nobody can log in to the ${v.service}'s HTTP endpoints.`);
            }
        } else if (v.service === "marathon" || v.service === "chronos") {
            if (!(OPERATOR_LOGIN_FILES[v.service] in v.files)) {
                report(`${v.service}'s API accepts anyone: no login file ${OPERATOR_LOGIN_FILES[v.service]}, which its entrypoint gives it as --http_credentials.`);
            }
        } else if (v.service === "bamboo") {
            if (!(OPERATOR_LOGIN_FILES.bamboo in v.files)) {
                report(`Bamboo's API accepts anyone: no HAProxy front with the login (${OPERATOR_LOGIN_FILES.bamboo}); Bamboo has no authentication of its own.`);
            }
            const bind = v.args.find((a) => a.startsWith("-bind="))?.slice("-bind=".length);
            if (bind === undefined || !bind.startsWith("127.0.0.1:")) {
                report(`Bamboo listens on ${bind ?? "every address (no -bind)"}, where its API is reached without the front's login; bind it to 127.0.0.1.`);
            }
        }
    },
);

export const restartPolicy = servicePolicy(
    "restart-policy-on-long-running-services",
    "Every long-running service is restarted when it exits: Docker's restart policy, or systemd's Restart=.",
    (v, report) => {
        if (!["always", "unless-stopped", "on-failure"].includes(v.restart)) {
            report(`restart is "${v.restart}": a crashed ${v.service || "service"} would stay down.`);
        }
    },
);

export const resourcePolicies = [noMesosContainerNames, privilegeOnlyOnAgents, statefulServicesPersist, noSecretsInEnvironment, operatorApisAuthenticated, restartPolicy];
export const stackPolicies = [oddMastersMajorityQuorum];
