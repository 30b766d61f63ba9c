import { createHash } from "crypto";
import { Template, jsonTemplate, secretRef } from "../spec";

/**
 * Mesos authentication: one principal per framework and one for the agents, and the files
 * each side reads. The renderers are pure: secrets are slots of a Template that a runtime
 * fills in (see FileSpec), named after the principal they belong to.
 */

/** Principals, by the name of the secret that authenticates each. */
export const PRINCIPALS = {
    marathon: "marathon",
    chronos: "chronos",
    agent: "mesos-agent",
} as const;

export type PrincipalName = keyof typeof PRINCIPALS;


/** The secret name of Chronos's mail password. */
export const MAIL_PASSWORD = "chronos-mail-password";

/**
 * The masters' `--credentials` file: every principal and its secret, in the JSON form (the
 * one-pair-per-line text form was removed in Mesos 1.11).
 */
export function masterCredentials(): Template {
    const credentials = (Object.keys(PRINCIPALS) as PrincipalName[]).map((name) => ({ principal: PRINCIPALS[name], secret: secretRef(name) }));
    return withNewline(jsonTemplate({ credentials }));
}

/** An agent's `--credential` file. */
export function agentCredential(): Template {
    return withNewline(jsonTemplate({ principal: PRINCIPALS.agent, secret: secretRef("agent") }));
}

const withNewline = (t: Template): Template => ({ parts: [...t.parts, "\n"] });

/** The secret names of the cluster registry's password and TLS key. */
export const REGISTRY_PASSWORD = "registry-password";
export const REGISTRY_TLS_KEY = "registry-tls-key";
/** A Docker client config (`config.json`) holding the registry login, for pulls. */
export const REGISTRY_DOCKER_CONFIG = "registry-docker-config";

/** The secret name of ZooKeeper's superuser password: the member that changes the membership authenticates with it. */
export const ZOOKEEPER_SUPER_PASSWORD = "zookeeper-super";

/**
 * ZooKeeper's users (digest authentication): each owns its service's top-level path, which the
 * ensemble creates with `world:anyone:r` and the user's `cdrwa`, so that anyone may read it and
 * only the service may create, change or delete under it. By the secret name of each password.
 * Bamboo is not among them: it cannot authenticate to ZooKeeper (its configuration has no such
 * field; QubitProducts/bamboo configuration/zookeeper.go at v0.2.21), so /bamboo stays open.
 */
export const ZOOKEEPER_USERS = {
    mesos: { secret: "zookeeper-mesos", path: "/mesos" },
    marathon: { secret: "zookeeper-marathon", path: "/marathon" },
    chronos: { secret: "zookeeper-chronos", path: "/chronos" },
} as const;

export type ZooKeeperUser = keyof typeof ZOOKEEPER_USERS;

/** The secret name of a ZooKeeper user's digest, which the cluster derives from its password. */
export const zookeeperDigestSecret = (user: ZooKeeperUser) => `${ZOOKEEPER_USERS[user].secret}-digest`;

/** ZooKeeper's digest of a user's password: base64(SHA1("user:password")) (DigestAuthenticationProvider). */
export function zookeeperDigest(user: string, password: string): string {
    return createHash("sha1").update(`${user}:${password}`).digest("base64");
}

/**
 * The file the ensemble's members read the protected paths from: one `PATH USER:DIGEST` a line.
 * Digests, not passwords: ZooKeeper's ACLs name a user by its digest.
 */
export function zookeeperAcls(): Template {
    const parts = (Object.keys(ZOOKEEPER_USERS) as ZooKeeperUser[]).flatMap((user) => [`${ZOOKEEPER_USERS[user].path} ${user}:`, { secret: zookeeperDigestSecret(user) }, "\n"]);
    return { parts };
}

/** A `zk://` URL with a user's login, for a service that reads it from a file (never on a command line). */
export function zookeeperLoginUrl(user: ZooKeeperUser, hosts: string, path: string): Template {
    return { parts: [`zk://${user}:`, { secret: ZOOKEEPER_USERS[user].secret }, `@${hosts}${path}`] };
}
