/**
 * npm run project-config: rewrites Pulumi.yaml's `config:` block from the program's key table
 * (components/config.ts), so that the two cannot drift (test/config.test.ts checks them).
 *
 * The optional secret keys are left out: the CLI makes a declared key without a default
 * required ("Stack 'dev' is missing configuration values ..."), and a declared secret with a
 * default fails as "must be encrypted as it's secret" (pulumi/pulumi sdk/go/common/workspace/
 * config.go, mergeConfig and validateStackConfigValue, v3.248.0; both seen with the real CLI).
 * The program itself refuses them in plain text (components/config/index.ts).
 */
import * as fs from "fs";
import * as path from "path";
import { parseDocument } from "yaml";
import { KEYS } from "../components/config";

const file = path.resolve(__dirname, "..", "Pulumi.yaml");
const doc = parseDocument(fs.readFileSync(file, "utf8"));
const config: Record<string, unknown> = {};
const secrets: string[] = [];
for (const [key, decl] of Object.entries(KEYS) as [string, { kind: string; description: string; secret?: boolean; schema: { parse(v: undefined): unknown } }][]) {
    if (decl.secret) {
        secrets.push(key);
        continue;
    }
    config[key] = {
        type: decl.kind,
        description: decl.description,
        ...(decl.kind === "array" ? { items: { type: "string" } } : {}),
        default: decl.schema.parse(undefined),
    };
}
doc.set("config", config);
const block = doc.contents && "items" in doc.contents ? doc.contents.items.find((pair) => String((pair as { key: unknown }).key) === "config") : undefined;
if (block) {
    (block as { key: { commentBefore?: string } }).key.commentBefore =
        ` Every key but the optional secrets (${secrets.join(", ")}), which the CLI would make\n` +
        " required: set each with `pulumi config set --secret KEY` where the README says it is needed.";
}
fs.writeFileSync(file, doc.toString({ lineWidth: 0 }));
console.log(`project-config: ${Object.keys(config).length} keys written to ${file} (secrets left out: ${secrets.join(", ")})`);
