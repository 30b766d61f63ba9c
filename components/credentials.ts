/**
 * Mesos authentication: one principal per framework and one for the agents, and the files
 * each side reads. The renderers are pure: secrets appear as `{{secret:NAME}}` placeholders
 * that a runtime fills in (see FileSpec), named after the principal they belong to.
 */

/** Principals, by the name of the secret that authenticates each. */
export const PRINCIPALS = {
    marathon: "marathon",
    chronos: "chronos",
    agent: "mesos-agent",
} as const;

export type PrincipalName = keyof typeof PRINCIPALS;

/** The secret placeholder for a name. */
export const secretRef = (name: string) => `{{secret:${name}}}`;

/** The secret name of Chronos's mail password. */
export const MAIL_PASSWORD = "chronos-mail-password";

/**
 * The masters' `--credentials` file: every principal and its secret, in the JSON form (the
 * one-pair-per-line text form was removed in Mesos 1.11).
 */
export function masterCredentials(): string {
    const credentials = (Object.keys(PRINCIPALS) as PrincipalName[]).map((name) => ({ principal: PRINCIPALS[name], secret: secretRef(name) }));
    return `${JSON.stringify({ credentials }, null, 2)}\n`;
}

/** An agent's `--credential` file. */
export function agentCredential(): string {
    return `${JSON.stringify({ principal: PRINCIPALS.agent, secret: secretRef("agent") }, null, 2)}\n`;
}

/** A framework's secret file: the secret alone, no trailing newline (a newline breaks Marathon's auth). */
export function secretFile(name: string): string {
    return secretRef(name);
}
