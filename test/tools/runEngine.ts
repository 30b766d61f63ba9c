/**
 * The real engine on the program, for the tests, in a process of its own (the program is a module:
 * it runs once per process): node -r ts-node/register/transpile-only test/tools/runEngine.ts
 * OP STACK DIR [OPTIONS_JSON]. No preflight (scripts/engine.ts's): the engine itself says what
 * stops it. The CLI's output goes to stderr; the last line on stdout is `RESULT {json}`: the exit
 * status, the engine's steps (each resource's operation, from its event stream), and the summary.
 */
import * as path from "path";
import { EngineEvent } from "@pulumi/pulumi/automation";
import { openStack, pulumiCli } from "../../scripts/engineSetup";

const ROOT = path.resolve(__dirname, "..", "..");

interface Options {
    readonly target?: string[];
    readonly targetDependents?: boolean;
    readonly expectNoChanges?: boolean;
}

async function main(): Promise<void> {
    const [operation, stackName, dir, json] = process.argv.slice(2);
    const options: Options = json ? JSON.parse(json) : {};
    const stack = await openStack(pulumiCli(ROOT), dir, stackName, async () => require(path.join(ROOT, "index.ts")));
    const steps: { urn: string; op: string }[] = [];
    const onEvent = (e: EngineEvent) => {
        if (e.resourcePreEvent) steps.push({ urn: e.resourcePreEvent.metadata.urn, op: e.resourcePreEvent.metadata.op });
    };
    const onOutput = (s: string) => process.stderr.write(s);
    const common = { onOutput, onEvent, target: options.target, expectNoChanges: options.expectNoChanges };
    let status = 0;
    let summary: unknown;
    try {
        switch (operation) {
            case "preview":
                summary = (await stack.preview({ ...common, targetDependents: options.targetDependents, diff: true })).changeSummary;
                break;
            case "up":
                summary = (await stack.up({ ...common, targetDependents: options.targetDependents })).summary.resourceChanges;
                break;
            case "refresh":
                summary = (await stack.refresh({ ...common })).summary.resourceChanges;
                break;
            case "destroy":
                summary = (await stack.destroy({ onOutput, onEvent, target: options.target, targetDependents: options.targetDependents })).summary.resourceChanges;
                break;
            default:
                throw new Error(`unknown operation ${operation}`);
        }
    } catch (e) {
        const r = (e as { commandResult?: { stdout: string; stderr: string } }).commandResult;
        process.stderr.write(r ? `${r.stdout}\n${r.stderr}\n` : `${String(e)}\n`);
        status = 1;
    }
    process.stdout.write(`\nRESULT ${JSON.stringify({ status, steps, summary })}\n`);
}

void main();
