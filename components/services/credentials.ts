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


/**
 * The operator's login, one for every operator API: the Mesos masters' and agents' HTTP
 * endpoints, Marathon's REST API, Chronos's job API, and Bamboo's API and UI (through HAProxy's
 * front). One user with one generated password, by the name of its secret.
 */
export const OPERATOR_USER = "operator";
export const OPERATOR_PASSWORD = "operator-password";

/**
 * Where each service that takes the operator's login from a file of its own reads it: Marathon
 * and Chronos `user:password` (their entrypoints put it in the process's environment), Bamboo's
 * HAProxy the front's config with the userlist. The policy pack checks that they are there.
 */
export const OPERATOR_LOGIN_FILES = {
    marathon: "/etc/marathon/http-credentials",
    chronos: "/etc/chronos/http-credentials",
    bamboo: "/etc/bamboo/haproxy-front.cfg",
} as const;

/** `user:password`, no newline: what Marathon's and Chronos's `--http_credentials` take, and what a readiness check sends. */
export function operatorLogin(): Template {
    return { parts: [`${OPERATOR_USER}:`, { secret: OPERATOR_PASSWORD }] };
}

/**
 * The secret name of the key the agents sign their executors' tokens with (`--jwt_secret_key`):
 * HTTP executors authenticate to the agent with them (`--authenticate_http_executors`). One key
 * for every agent: a token names its framework, executor and container, which only the agent
 * running them accepts.
 */
export const AGENT_JWT_KEY = "agent-jwt-key";

/** The secret name of Chronos's mail password. */
export const MAIL_PASSWORD = "chronos-mail-password";

/**
 * The masters' `--credentials` file: every principal and its secret, in the JSON form (the
 * one-pair-per-line text form was removed in Mesos 1.11), and the operator's. A master has no
 * `--http_credentials`: its basic HTTP authenticator reads this same file (apache/mesos
 * src/master/master.cpp at 1.7.1, l.486-499 and 562-581), so the operator is a principal here,
 * and every principal here can also log in to the masters' HTTP endpoints.
 */
export function masterCredentials(): Template {
    const principals = (Object.keys(PRINCIPALS) as PrincipalName[]).map((name) => ({ principal: PRINCIPALS[name], secret: secretRef(name) }));
    return withNewline(jsonTemplate({ credentials: [...principals, { principal: OPERATOR_USER, secret: secretRef(OPERATOR_PASSWORD) }] }));
}

/** An agent's `--http_credentials` file (the same JSON form): the operator alone. */
export function agentHttpCredentials(): Template {
    return withNewline(jsonTemplate({ credentials: [{ principal: OPERATOR_USER, secret: secretRef(OPERATOR_PASSWORD) }] }));
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
 * Bamboo 0.2.21 has no ZooKeeper login of its own (configuration/zookeeper.go): its image adds one
 * (images/bamboo/patch), read from a file the program mounts.
 */
export const ZOOKEEPER_USERS = {
    mesos: { secret: "zookeeper-mesos", path: "/mesos", recursive: false },
    marathon: { secret: "zookeeper-marathon", path: "/marathon", recursive: false },
    // Chronos and Bamboo created their nodes open to anyone before their images protected them
    // (ZooKeeper's ACLs are not inherited): the ensemble gives every node under their paths their
    // ACL again. Not Marathon's: its nodes are its user's alone (CREATOR_ALL_ACL), closer still.
    chronos: { secret: "zookeeper-chronos", path: "/chronos", recursive: true },
    bamboo: { secret: "zookeeper-bamboo", path: "/bamboo", recursive: true },
} as const;

/** A ZooKeeper user's login as `user:password`, for a service that reads it from a file. */
export function zookeeperLogin(user: ZooKeeperUser): Template {
    return { parts: [`${user}:`, { secret: ZOOKEEPER_USERS[user].secret }] };
}

export type ZooKeeperUser = keyof typeof ZOOKEEPER_USERS;

/** The secret name of a ZooKeeper user's digest, which the cluster derives from its password. */
export const zookeeperDigestSecret = (user: ZooKeeperUser) => `${ZOOKEEPER_USERS[user].secret}-digest`;

/** ZooKeeper's digest of a user's password: base64(SHA1("user:password")) (DigestAuthenticationProvider). */
export function zookeeperDigest(user: string, password: string): string {
    return createHash("sha1").update(`${user}:${password}`).digest("base64");
}

/**
 * The file the ensemble's members read the protected paths from: one `PATH USER:DIGEST` a line,
 * ` recursive` after it where every node below is to get the path's ACL again.
 * Digests, not passwords: ZooKeeper's ACLs name a user by its digest.
 */
export function zookeeperAcls(): Template {
    const parts = (Object.keys(ZOOKEEPER_USERS) as ZooKeeperUser[]).flatMap((user) => [
        `${ZOOKEEPER_USERS[user].path} ${user}:`,
        { secret: zookeeperDigestSecret(user) },
        ZOOKEEPER_USERS[user].recursive ? " recursive\n" : "\n",
    ]);
    return { parts };
}

/** A `zk://` URL with a user's login, for a service that reads it from a file (never on a command line). */
export function zookeeperLoginUrl(user: ZooKeeperUser, hosts: string, path: string): Template {
    return { parts: [`zk://${user}:`, { secret: ZOOKEEPER_USERS[user].secret }, `@${hosts}${path}`] };
}
