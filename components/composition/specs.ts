/**
 * What every service's spec must be before a runtime sees it, checked for the whole cluster
 * while nothing is registered yet: a spec that cannot be built, or that would hand a command a
 * word it reads as an option, refuses the stack here rather than halfway through a deploy.
 */
import { fullKey as key } from "../config";
import { ServiceDescriptor } from "../service";
import { ServiceSpec, imageRef } from "../spec";
import { Topology } from "../topology/types";

/**
 * Words of a spec the runtimes place on command lines as operands, not after a `--flag=`:
 * `docker rm -f NAME`, `docker stop NAME`, `docker exec NAME`, `systemctl restart NAME.service`,
 * `docker run … IMAGE`, `docker pull IMAGE`. Each with the key an operator changes to mend it.
 */
function operands(t: Topology, spec: ServiceSpec): { word: string; what: string; key: string }[] {
    return [
        { word: spec.containerName, what: "container name", key: key("containerPrefix") },
        { word: imageRef(spec.image, t.imageRegistry), what: "image reference", key: key("registry") },
        { word: spec.host.address, what: "host address", key: key("masters") },
    ];
}

/** A host path a runtime creates or mounts: absolute, every segment a name (no "", "." or ".."). */
const SAFE_PATH = /^(\/(?!\.{1,2}(\/|$))[^/\0]+)+$/;

function problemsOf(t: Topology, spec: ServiceSpec): string[] {
    const where = `${spec.service} on host "${spec.host.name}"`;
    const problems: string[] = [];
    for (const o of operands(t, spec)) {
        if (o.word.startsWith("-")) {
            problems.push(`${o.key}: ${where}: its ${o.what} "${o.word}" begins with "-", which a command would read as an option; change ${o.key}`);
        }
    }
    for (const p of [...spec.volumes.map((v) => v.host), ...spec.files.map((f) => f.host)]) {
        if (!SAFE_PATH.test(p)) {
            problems.push(`${key("dataRoot")}: ${where}: host path "${p}" is not an absolute path of plain names; give dataRoot as one`);
        }
    }
    for (const [name, value] of Object.entries(spec.env)) {
        if (/[\n\0]/.test(value)) {
            problems.push(`${where}: environment variable ${name} holds a line break, which an env file cannot carry`);
        }
    }
    return problems;
}

/** The problems of every service's spec on every host of `t`: none when each can be deployed. */
export function specProblems(t: Topology, services: readonly ServiceDescriptor[]): string[] {
    const problems = t.placements.flatMap((p) =>
        services
            .filter((s) => p.services.includes(s.name))
            .flatMap((s) => {
                let spec: ServiceSpec;
                try {
                    spec = s.spec(t, p.host);
                } catch (e) {
                    return [`${s.name} on host "${p.host.name}": ${(e as Error).message}`];
                }
                return problemsOf(t, spec);
            }),
    );
    return [...new Set(problems)];
}
