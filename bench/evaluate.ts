/**
 * One evaluation in a fresh process, for the benchmark: the program (index.ts) for a config
 * under mocks, or a baseline that registers the same number of trivial resources.
 *   ts-node -T bench/evaluate.ts program CONFIG.json OUT.json
 *   ts-node -T bench/evaluate.ts baseline COUNT OUT.json
 * Writes {seconds, maxRssMb, resources: [{urn, type, parent, provider, dependencies, inputs}]}.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs: () => Promise<void> };

export interface Registration {
    readonly urn: string;
    readonly type: string;
    readonly parent: string;
    readonly provider: string;
    readonly dependencies: string[];
    readonly inputs: unknown;
}

function mockPassword(name: string, length: number): string {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    const digest = createHash("sha512").update(name).digest();
    return Array.from({ length }, (_, i) => alphabet[digest[i % digest.length] % alphabet.length]).join("");
}

async function main(): Promise<void> {
    const [mode, arg, out] = process.argv.slice(2);
    const registrations: Registration[] = [];
    await pulumi.runtime.setMocks(
        {
            newResource: (a) => {
                const state: Record<string, unknown> = { ...a.inputs };
                if (a.type === "docker:index/image:Image") {
                    state.repoDigest = `sha256:${createHash("sha256").update(a.name).digest("hex")}`;
                }
                if (a.type === "random:index/randomPassword:RandomPassword") {
                    state.result = mockPassword(a.name, a.inputs.length);
                }
                return { id: `${a.name}-id`, state };
            },
            call: (a) => a.inputs,
        },
        "mesos-cluster",
        "bench",
        false,
    );
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the monitor's gRPC request and response
    const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource: (req: any, cb: (e: any, r: any) => void) => void };
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, cb) =>
        register(req, (err, resp) => {
            if (!err) {
                registrations.push({
                    urn: resp.getUrn(),
                    type: req.getType(),
                    parent: req.getParent(),
                    provider: req.getProvider(),
                    dependencies: req.getDependenciesList(),
                    inputs: req.getObject()?.toJavaScript() ?? {},
                });
            }
            cb(err, resp);
        });

    const t0 = process.hrtime.bigint();
    if (mode === "program") {
        const config = JSON.parse(fs.readFileSync(arg, "utf8")) as Record<string, string>;
        pulumi.runtime.setAllConfig(config, ["mesos-cluster:sshPrivateKey"].filter((k) => k in config));
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- the program runs on being loaded, after the mocks
        require("../index");
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
