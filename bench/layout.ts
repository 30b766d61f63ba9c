/** The benchmark's clusters: the ha stack's settings with generated host lists. */
import * as path from "path";
import { readStackConfig } from "../scripts/stackFile";

const ROOT = path.resolve(__dirname, "..");

/** What the systemd runtime needs beside the ha stack's keys: a (made-up) SSH key, set as a secret. */
const SYSTEMD = {
    "mesos-cluster:runtime": "systemd",
    "mesos-cluster:sshPrivateKey": "-----BEGIN OPENSSH PRIVATE KEY-----\nbench\n-----END OPENSSH PRIVATE KEY-----\n",
};

export type Runtime = "docker" | "systemd";

/**
 * The ha stack's config with `masters` masters and `agents` agents (addresses 10.1.x.y), on
 * `runtime`; `change` edits the agents' entries.
 */
export function haConfigValues(agents: number, masters = 3, runtime: string = "docker", change: (agents: string[]) => string[] = (a) => a): Record<string, string> {
    const { values } = readStackConfig(ROOT, "ha");
    const m = Array.from({ length: masters }, (_, i) => `m${i + 1}=10.0.0.${11 + i}`);
    const a = change(Array.from({ length: agents }, (_, i) => `a${i + 1}=10.1.${Math.floor(i / 250)}.${(i % 250) + 1}`));
    return {
        ...values,
        ...(runtime === "systemd" ? SYSTEMD : {}),
        "mesos-cluster:masters": JSON.stringify(m),
        "mesos-cluster:agents": JSON.stringify(a),
    };
}

/** A shipped stack's config, with the made-up SSH key as its secret where it runs on systemd. */
export function stackValues(stack: string): Record<string, string> {
    const { values } = readStackConfig(ROOT, stack);
    return values["mesos-cluster:runtime"] === "systemd" ? { ...values, ...SYSTEMD } : values;
}
