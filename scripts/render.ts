/**
 * npm run render -- --stack NAME --out DIR
 *
 * Writes, without the Pulumi CLI, every file each host of a stack would receive from the
 * systemd runtime (units, env files), the zoo.cfg each ZooKeeper container renders, and a
 * topology diagram (topology.svg). Reviewers diff DIR in a pull request.
 */
import * as path from "path";
import { ConfigError } from "../components/config";
import { renderDiagram } from "../components/render/diagram";
import { renderHosts } from "../components/render/hostFiles";
import { stackTopology } from "../components/composition";
import { prepareOut, writeInside } from "./outFolder";
import { readStackConfig, secretKeys, stackNames } from "./stackFile";

const ROOT = path.resolve(__dirname, "..");


function usage(message: string): never {
    console.error(`render: ${message}\nusage: npm run render -- --stack NAME --out DIR   (stacks: ${stackNames(ROOT).join(", ")})`);
    process.exit(2);
}

function parseArgs(argv: readonly string[]): { stack: string; out: string } {
    const args: Record<string, string> = {};
    for (let i = 0; i < argv.length; i += 2) {
        const [flag, value] = [argv[i], argv[i + 1]];
        if ((flag !== "--stack" && flag !== "--out") || value === undefined || value.startsWith("--")) {
            usage(`unexpected argument "${flag}"`);
        }
        args[flag.slice(2)] = value;
    }
    if (!args.stack || !args.out) {
        usage("both --stack and --out are required");
    }
    return { stack: args.stack, out: path.resolve(args.out) };
}

/**
 * Writes the stack's files under `out` (emptied first, if it is render's to empty: see
 * outFolder.ts); returns the paths written, relative to it. `project`: the folder of Pulumi.yaml
 * and the stack files.
 */
export function render(stack: string, out: string, project = ROOT): string[] {
    const { values, secure } = readStackConfig(project, stack);
    // Rendering connects nowhere, so the SSH key (a secret, unreadable here) is not needed.
    // Keys set as secrets are refused where the program refuses them; the others' defaults show.
    const topology = stackTopology(values, { requireSecrets: false, secretKeys: new Set(secure) });
    const folder = path.resolve(out);
    prepareOut(folder, project);
    const written: string[] = [];
    const write = (rel: string, content: string, mode: string) => {
        writeInside(folder, rel, content, parseInt(mode, 8));
        written.push(rel);
    };
    for (const host of renderHosts(topology)) {
        for (const f of host.files) {
            write(path.join(host.host, f.path), f.content, f.mode);
        }
        for (const f of host.containerFiles) {
            write(path.join(host.host, "in-container", f.path), f.content, f.mode);
        }
    }
    write("topology.svg", renderDiagram(topology), "0644");
    return written;
}

if (require.main === module) {
    const { stack, out } = parseArgs(process.argv.slice(2));
    try {
        const written = render(stack, out);
        console.log(`render: ${written.length} files for stack ${stack} in ${out}`);
        for (const key of readStackConfig(ROOT, stack).secure.filter((k) => !secretKeys().includes(k))) {
            console.error(`render: ${key} is set as a secret, which render cannot read: the files show its default`);
        }
    } catch (e) {
        // A bad stack or an unknown stack name is the operator's to fix: the message, no trace.
        console.error(e instanceof ConfigError ? e.message : `render: ${(e as Error).message}`);
        process.exit(1);
    }
}
