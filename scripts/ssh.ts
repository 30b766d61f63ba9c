/**
 * How the day-2 tools reach a host: as the systemd runtime's deploy does (its user and port, `sudo -n`
 * unless root), with ssh's own options for a tool that nobody answers: no prompt, a connect deadline,
 * a new host key accepted once. Shared by `npm run drift` and `npm run backup`/`restore`.
 */
import { shellQuote } from "../components/runtimes/systemd";

/** A host as the deploy reaches it. */
export interface SshTarget {
    readonly user: string;
    readonly port: number;
    readonly address: string;
}

/** What the operator adds: a key file, a known-hosts file. */
export interface SshKeys {
    readonly identity?: string;
    readonly knownHosts?: string;
}

/** ssh's arguments that run `script` as root on `target` with `args`, `$0` being `name`. */
export function sshArgs(target: SshTarget, keys: SshKeys, name: string, script: string, args: readonly string[]): string[] {
    const sudo = target.user === "root" ? "" : "sudo -n ";
    const remote = `${sudo}sh -c ${shellQuote(script)} ${name} ${args.map(shellQuote).join(" ")}`;
    return [
        ...(keys.identity ? ["-i", keys.identity, "-o", "IdentitiesOnly=yes"] : []),
        ...["-p", String(target.port), "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-o", "StrictHostKeyChecking=accept-new"],
        ...(keys.knownHosts ? ["-o", `UserKnownHostsFile=${keys.knownHosts}`] : []),
        ...["-o", "LogLevel=ERROR"],
        `${target.user}@${target.address}`,
        "--",
        remote,
    ];
}
