/**
 * Every service composed onto the stack's hosts: the topology places them, then each one's spec
 * on each host is built and checked (specs.ts) before any runtime sees it.
 */
import { ClusterConfig, ConfigError, ConfigReading, ParseOptions, readConfig, redact } from "../config";
import { ServiceDescriptor } from "../service";
import { SERVICES } from "../services";
import { Topology, topologyOf } from "../topology";
import { specProblems } from "./specs";

/**
 * The layout of a stack's raw configuration (as `readConfig` takes it), or one ConfigError
 * that lists every problem at once: each key's own, those that span keys, hosts and ports, and
 * then those the services' specs would meet. Nothing later can refuse the stack.
 */
export function stackTopology(raw: Readonly<Record<string, string>>, options: ParseOptions = {}, services: readonly ServiceDescriptor[] = SERVICES): Topology {
    return composed(readConfig(raw, options), services);
}

/** The layout of a config whose keys are each valid; a ConfigError lists what spans keys or hosts. */
export function buildTopology(c: ClusterConfig, services: readonly ServiceDescriptor[] = SERVICES): Topology {
    return composed({ config: c, problems: [], invalid: new Set(), secretTexts: [] }, services);
}

function composed(reading: ConfigReading, services: readonly ServiceDescriptor[]): Topology {
    const t = topologyOf(reading, services);
    const late = specProblems(t, services);
    if (late.length > 0) {
        // No message shows a value set with --secret.
        throw new ConfigError(redact(late, reading.secretTexts));
    }
    return t;
}
