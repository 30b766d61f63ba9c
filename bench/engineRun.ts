/**
 * One run of the real engine for the engine benchmark (bench/engine.ts), in a process of its own
 * (the program is a module: it runs once per process), through the automation API's inline
 * program as test/tools/runEngine.ts runs it:
 *   node -r ts-node/register/transpile-only bench/engineRun.ts preview|up|up-noop program|bare STACK DIR [SHAPE.json]
 * `program` is index.ts; `bare` registers the resources SHAPE.json lists (bench/engine.ts makes it
 * from the program's own registrations): the same types, providers and number of inputs, each
 * input a string as long as the program's value, flat (no parents, no dependencies, no Outputs).
 * The stack must exist (bench/engine.ts makes it). The CLI's output goes to stderr; the last line
 * on stdout is `RESULT {json}`: the exit status, the operation's seconds (the automation API's
 * call, from the CLI's start to its end) and its summary.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { openStack, pulumiCli } from "../scripts/engineSetup";

const ROOT = path.resolve(__dirname, "..");
const PROVIDERS = "pulumi:providers:";

/** A resource the bare program registers in the place of one of the program's. */
export interface Shaped {
    readonly type: string;
    readonly custom: boolean;
    /** The index (in the list) of its explicit provider, -1 for the default one. */
    readonly provider: number;
    /** Each input's length, serialized as JSON. */
    readonly inputs: readonly number[];
}

class BareProvider extends pulumi.ProviderResource {}
class BareCustom extends pulumi.CustomResource {}

function bare(shape: readonly Shaped[]): void {
    const made: pulumi.Resource[] = [];
    shape.forEach((s, i) => {
        const name = `bare-${i}`;
        const props = Object.fromEntries(s.inputs.map((length, k) => [`input${k}`, name.padEnd(length, "x")]));
        if (s.type.startsWith(PROVIDERS)) {
            made.push(new BareProvider(s.type.slice(PROVIDERS.length), name, props));
        } else if (s.custom) {
            made.push(new BareCustom(s.type, name, props, s.provider >= 0 ? { provider: made[s.provider] as pulumi.ProviderResource } : {}));
        } else {
            made.push(new pulumi.ComponentResource(s.type, name));
        }
    });
}

async function main(): Promise<void> {
    const [operation, mode, stackName, dir, shapeFile] = process.argv.slice(2);
    const program =
        mode === "program"
            ? // eslint-disable-next-line @typescript-eslint/no-require-imports
              async () => require(path.join(ROOT, "index.ts"))
            : async () => bare(JSON.parse(fs.readFileSync(shapeFile, "utf8")));
    const stack = await openStack(pulumiCli(ROOT), dir, stackName, program, "select");
    const onOutput = (s: string) => process.stderr.write(s);
    let status = 0;
    let summary: unknown;
    const t0 = process.hrtime.bigint();
    try {
        if (operation === "preview") {
            summary = (await stack.preview({ onOutput })).changeSummary;
        } else if (operation === "up" || operation === "up-noop") {
            summary = (await stack.up({ onOutput, expectNoChanges: operation === "up-noop" })).summary.resourceChanges;
        } else {
            throw new Error(`unknown operation ${operation}`);
        }
    } catch (e) {
        const r = (e as { commandResult?: { stdout: string; stderr: string } }).commandResult;
        process.stderr.write(r ? `${r.stdout}\n${r.stderr}\n` : `${String(e)}\n`);
        status = 1;
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    process.stdout.write(`\nRESULT ${JSON.stringify({ status, seconds, summary })}\n`);
}

void main();
