/**
 * One evaluation in a fresh process, for the benchmark: the program (index.ts) for a config
 * under mocks, a baseline that registers the same number of trivial resources (one input
 * each), or one that registers resources with as many inputs as the program's.
 *   ts-node -T bench/evaluate.ts program CONFIG.json OUT.json
 *   ts-node -T bench/evaluate.ts baseline COUNT OUT.json
 *   ts-node -T bench/evaluate.ts matched INPUT-COUNTS.json OUT.json
 * Writes {seconds, maxRssMb, resources: the registrations (test/mocks.ts)}.
 */
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import { installMocks } from "../test/mocks";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs: () => Promise<void> };

async function main(): Promise<void> {
    const [mode, arg, out] = process.argv.slice(2);
    const registrations = await installMocks("mesos-cluster", "bench");

    const t0 = process.hrtime.bigint();
    if (mode === "program") {
        const config = JSON.parse(fs.readFileSync(arg, "utf8")) as Record<string, string>;
        pulumi.runtime.setAllConfig(config, ["mesos-cluster:sshPrivateKey"].filter((k) => k in config));
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- the program runs on being loaded, after the mocks
        require("../index");
    } else if (mode === "matched") {
        // As many resources as the program registers, each with as many (string) inputs as
        // the program's resource in its place: what the SDK costs for that many properties.
        const counts = JSON.parse(fs.readFileSync(arg, "utf8")) as number[];
        class Matched extends pulumi.CustomResource {
            constructor(name: string, inputs: number) {
                super("bench:index:Matched", name, Object.fromEntries(Array.from({ length: inputs }, (_, i) => [`input${i}`, `${name}-${i}`])));
            }
        }
        counts.forEach((inputs, i) => new Matched(`matched-${i}`, inputs));
    } else {
        class Trivial extends pulumi.CustomResource {
            constructor(name: string) {
                super("bench:index:Trivial", name, { value: name });
            }
        }
        for (let i = 0; i < Number(arg); i++) {
            new Trivial(`trivial-${i}`);
        }
    }
    await waitForRPCs();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const maxRssMb = process.resourceUsage().maxRSS / 1024;
    fs.writeFileSync(out, JSON.stringify({ seconds, maxRssMb, resources: registrations }));
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
