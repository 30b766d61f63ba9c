/**
 * npm run project-config: rewrites Pulumi.yaml's `config:` block from the program's key table
 * (components/config.ts), so that the two cannot drift (test/config.test.ts checks them).
 */
import * as fs from "fs";
import * as path from "path";
import { parseDocument } from "yaml";
import { KEYS } from "../components/config";

const file = path.resolve(__dirname, "..", "Pulumi.yaml");
const doc = parseDocument(fs.readFileSync(file, "utf8"));
const config: Record<string, unknown> = {};
for (const [key, decl] of Object.entries(KEYS) as [string, { kind: string; description: string; secret?: boolean; schema: { parse(v: undefined): unknown } }][]) {
    config[key] = {
        type: decl.kind,
        description: decl.description,
        ...(decl.kind === "array" ? { items: { type: "string" } } : {}),
        ...(decl.secret ? { secret: true } : { default: decl.schema.parse(undefined) }),
    };
}
doc.set("config", config);
fs.writeFileSync(file, doc.toString({ lineWidth: 0 }));
console.log(`project-config: ${Object.keys(config).length} keys written to ${file}`);
