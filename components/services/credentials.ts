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
