/**
 * Rules that span several keys. Each returns its problems as ConfigError lines: the key, what
 * is wrong, and the fix. Rules of one key live with the key (keys.ts); rules that need the
 * derived layout (host names, port clashes) live with the topology.
 */
import { ClusterConfig, fullKey as key } from "./keys";

/**
 * The port Chronos 3.0.2 sends mail to over SSL, whatever --mail_server says: it calls
 * setSSLOnConnect then setSmtpPort (mesos/chronos v3.0.2 src/main/scala/org/apache/mesos/chronos/
 * notification/MailClient.scala), and commons-email 1.3.3 then sets mail.smtp.port to its
 * sslSmtpPort, "465" unless setSslSmtpPort is called, which Chronos never does (Email.java,
 * getMailSession). Nor does Chronos call setStartTLSEnabled: no STARTTLS (port 587).
 */
export const CHRONOS_SSL_SMTP_PORT = 465;

/** Chronos's mail keys only make sense together. */
function mailProblems(c: ClusterConfig): string[] {
    const problems: string[] = [];
    if (c.chronosMailServer === "") {
        for (const k of ["chronosMailUser", "chronosMailFrom"] as const) {
            if (c[k] !== "") {
                problems.push(`${key(k)}: is set but ${key("chronosMailServer")} is empty; set the server or remove ${k}`);
            }
        }
        if (c.chronosMailSsl) {
            problems.push(`${key("chronosMailSsl")}: is true but ${key("chronosMailServer")} is empty; set the server or remove chronosMailSsl`);
        }
        if (c.chronosMailPassword) {
            problems.push(`${key("chronosMailPassword")}: is set but ${key("chronosMailServer")} is empty; set the server or remove the password`);
        }
    } else if (c.chronosMailFrom === "") {
        problems.push(`${key("chronosMailFrom")}: Chronos needs a sender address when ${key("chronosMailServer")} is set`);
    }
    const port = /:(\d+)$/.exec(c.chronosMailServer)?.[1];
    if (c.chronosMailSsl && port !== undefined && Number(port) !== CHRONOS_SSL_SMTP_PORT) {
        problems.push(
            `${key("chronosMailServer")}: port ${port} with ${key("chronosMailSsl")}, but Chronos over SSL connects to port ${CHRONOS_SSL_SMTP_PORT} whatever port is given, and has no STARTTLS; use the server's SMTPS port (host:${CHRONOS_SSL_SMTP_PORT}), or set chronosMailSsl to false for a plain SMTP port`,
        );
    }
    return problems;
}

/** The registry's keys depend on each other: auth needs TLS, and both need the registry. */
function registryProblems(c: ClusterConfig): string[] {
    const problems: string[] = [];
    if (c.registryHost === "") {
        for (const k of ["registryAuth", "registryTlsCertificate", "registryTlsKey"] as const) {
            if (c[k] !== false && c[k] !== "") {
                problems.push(`${key(k)}: is set but ${key("registryHost")} is empty; name the host that runs the registry or remove ${k}`);
            }
        }
        return problems;
    }
    if (c.registry !== "") {
        problems.push(
            `${key("registry")}: "${c.registry}" is an outside registry, but ${key("registryHost")} runs the cluster's own, and images come from one place; remove one of them`,
        );
    }
    if (c.registryAuth && c.registryTlsCertificate === "") {
        problems.push(
            `${key("registryAuth")}: a password sent over plain HTTP can be read on the wire, so authentication needs TLS; set ${key("registryTlsCertificate")} and ${key("registryTlsKey")}, or set registryAuth to false`,
        );
    }
    if (c.registryTlsKey && c.registryTlsCertificate === "") {
        problems.push(`${key("registryTlsKey")}: is set but ${key("registryTlsCertificate")} is empty; set the certificate with \`pulumi config set registryTlsCertificate < CERTFILE\``);
    }
    return problems;
}

/** The masters' count: odd, and within ZooKeeper's ids. */
function masterCountProblems(c: ClusterConfig): string[] {
    const n = new Set(c.masters.map((m) => m.split("=")[0])).size;
    const problems: string[] = [];
    if (n % 2 === 0) {
        problems.push(
            `${key("masters")}: ${n} masters given; the count must be odd (1, 3, 5, 7): an even count survives no more failures than one fewer and risks split brain. Add or remove one master`,
        );
    }
    if (n > MAX_MEMBERS) {
        problems.push(`${key("masters")}: ${n} masters given; ZooKeeper ids run 1..${MAX_MEMBERS}, so at most ${MAX_MEMBERS} masters`);
    }
    return problems;
}
/** ZooKeeper ids are one byte in the election protocol's server ids used here. */
const MAX_MEMBERS = 255;

/** When each secret is needed, and why: the message for a stack that lacks it. */
export const SECRETS_NEEDED: Readonly<Record<string, { when: (c: ClusterConfig) => boolean; why: string; from: string }>> = {
    sshPrivateKey: { when: (c) => c.runtime === "systemd", why: "the systemd runtime reaches its hosts over SSH and needs a key", from: " < KEYFILE" },
    chronosMailPassword: { when: (c) => c.chronosMailUser !== "", why: "chronosMailUser is set, so Chronos needs the user's password", from: "" },
    registryTlsKey: { when: (c) => c.registryTlsCertificate !== "", why: "registryTlsCertificate is set, so the registry needs its private key", from: " < KEYFILE" },
};

/** Every cross-key problem of a config whose keys are each valid. */
export function crossKeyProblems(c: ClusterConfig): string[] {
    return [...masterCountProblems(c), ...mailProblems(c), ...registryProblems(c)];
}
