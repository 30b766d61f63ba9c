import fc from "fast-check";
import { KEYS, parseConfig } from "../components/config";
import { COMMAND_TYPE, CONTAINER_TYPE, parseBundle } from "../components/runtimes/inspect";
import { SERVICES, clusterSpecs } from "../components/services";
import { buildTopology, stackTopology } from "../components/composition";
import { specProblems } from "../components/composition/specs";
import { readStackConfig } from "../scripts/stackFile";
import { execWords, unitValue } from "./emitted";
import { Evaluation, ROOT, TEST_SECRETS, evaluate, evaluateFailure, plain, problemsOf, secretKeys, stackConfig } from "./harness";

// No value an operator gives becomes a word of a command that begins with "-" (an option of
// that command): not in the systemd runtime's shell commands or its units' docker lines, not
// in docker's container command, name or image, not in an engine's ssh:// address.

const K = (key: string) => `mesos-cluster:${key}`;

/** The words of a POSIX shell command line as `shellQuote` writes them: bare, '…' and \x. */
function shellWords(line: string): string[] {
    const words: string[] = [];
    let word: string | undefined;
    for (let i = 0; i < line.length; i++) {
        const ch = line[i];
        if (/\s/.test(ch)) {
            if (word !== undefined) {
                words.push(word);
            }
            word = undefined;
        } else if (ch === "'") {
            const end = line.indexOf("'", i + 1);
            word = (word ?? "") + line.slice(i + 1, end);
            i = end;
        } else if (ch === "\\") {
            word = (word ?? "") + line[++i];
        } else {
            word = (word ?? "") + ch;
        }
    }
    return word === undefined ? words : [...words, word];
}

/** Every word the evaluation's resources put on a command line, each with where it is. */
function commandWords(e: Evaluation): { where: string; word: string }[] {
    return e.resources.flatMap((r) => {
        const i = plain(r.inputs);
        const at = (where: string, ws: readonly string[]) => ws.map((word) => ({ where: `${r.name} ${where}`, word }));
        if (r.type === COMMAND_TYPE) {
            const unit = [...parseBundle(i.stdin).entries()].find(([p]) => p.endsWith(".service"))?.[1].content ?? "";
            return [
                ...at("create", shellWords(i.create)),
                ...at("delete", shellWords(i.delete)),
                ...["ExecStartPre", "ExecStart", "ExecStop"].flatMap((k) => at(k, execWords((unitValue(unit, k) ?? "").replace(/^-/, "")))),
            ];
        }
        if (r.type === CONTAINER_TYPE) {
            return [...at("command", i.command ?? []), ...at("name", [i.name]), ...at("image", [i.image])];
        }
        if (r.type === "pulumi:providers:docker" && typeof i.host === "string") {
            // ssh://USER@HOST:PORT: the user and host are words of the ssh command docker runs.
            const m = /^ssh:\/\/([^@]*)@([^:]*):/.exec(i.host);
            return m === null ? [] : at("ssh", [m[1], m[2]]);
        }
        return [];
    });
}

/** A value for `key` that begins with "-" and is otherwise as its rule wants. */
function dashed(key: string, token: string): string | undefined {
    const v = `-zq${token}`;
    const shapes: Record<string, string> = {
        chronosMailFrom: `${v}@example.com`,
        chronosMailServer: `${v}.example.com:465`,
        chronosMailUser: v,
        registry: `${v}.example.com:5000`,
        agentAttributes: `${v}:x`,
        masters: JSON.stringify([`${v}=10.20.0.11`, "m2=10.20.0.12", "m3=10.20.0.13"]),
        agents: JSON.stringify([`${v}=10.20.0.21`]),
        bambooHosts: JSON.stringify([`${v}=10.20.0.31`]),
        registryHost: `${v}=10.20.0.41`,
        servicePorts: `-${token.length}-20000`,
        agentTaskPorts: `-${token.length}-32000`,
    };
    return shapes[key] ?? v;
}

/** prod's config without its own registry, so that an outside one can be given. */
function prodFor(key: string): Record<string, string> {
    const c = { ...stackConfig("prod") };
    if (key === "registry") {
        Object.assign(c, { [K("registryHost")]: "", [K("registryAuth")]: "false", [K("registryTlsCertificate")]: "" });
        delete c[K("registryTlsKey")];
    }
    return c;
}

const KEYS_WITH_TEXT = Object.entries(KEYS)
    .filter(([, d]) => !("secret" in d && d.secret) && (d.kind === "string" || d.kind === "array"))
    .map(([k]) => k);
const token = fc.stringMatching(/^[a-z0-9]{1,6}$/);

test(`any of the ${KEYS_WITH_TEXT.length} text keys beginning with "-": refused naming the key, or no spec argument, container name or image begins with it (50 runs a key)`, () => {
    const accepted = new Set<string>();
    for (const key of KEYS_WITH_TEXT) {
        fc.assert(
            fc.property(token, (t) => {
                const value = dashed(key, t) as string;
                const found = problemsOf({ ...prodFor(key), [K(key)]: value });
                if (found.length > 0) {
                    expect(found.join("\n")).toContain(K(key));
                    return;
                }
                accepted.add(key);
                const typed = value.startsWith("[") ? (JSON.parse(value) as string[])[0] : value;
                const t2 = buildTopology(parseConfig({ ...prodFor(key), [K(key)]: value }, { secretKeys: new Set(secretKeys()) }));
                for (const s of clusterSpecs(t2)) {
                    for (const w of [...s.args, s.containerName, s.image.repository]) {
                        expect({ key, w, begins: w.startsWith(typed.split("=")[0]) }).toEqual({ key, w, begins: false });
                    }
                }
            }),
            { numRuns: 50 },
        );
    }
    // Not vacuous: flag values may begin with "-", and were followed to the words.
    expect([...accepted]).toEqual(expect.arrayContaining(["chronosMailFrom", "chronosMailServer", "chronosMailUser", "agentAttributes"]));
});

describe.each(["systemd", "docker"])("evaluated on the %s runtime", (runtime) => {
    test.each(KEYS_WITH_TEXT)("%s beginning with \"-\": refused with nothing registered, or in no command word's start (3 runs)", async (key) => {
        await fc.assert(
            fc.asyncProperty(token, async (t) => {
                const value = dashed(key, t) as string;
                const config = { ...prodFor(key), [K("runtime")]: runtime, [K("engine")]: "ssh", [K(key)]: value };
                if (problemsOf(config).length > 0) {
                    const { error, registered } = await evaluateFailure(config, secretKeys());
                    expect([error.name, registered]).toEqual(["ConfigError", 0]);
                    return;
                }
                const typed = (value.startsWith("[") ? (JSON.parse(value) as string[])[0] : value).split("=")[0];
                const words = commandWords(await evaluate(config, "prod"));
                expect(words.length).toBeGreaterThan(0);
                expect(words.filter((w) => w.word.startsWith(typed))).toEqual([]);
            }),
            { numRuns: 3 },
        );
    });
});

test.each([
    ["registry", "-oproxy.example.com:5000", /mesos-cluster:registry: must be empty or a registry host\[:port\]\[\/path\] starting with a letter or digit/],
    ["sshUser", "-oProxyCommand=x", /mesos-cluster:sshUser: must be a Unix user name/],
    ["containerPrefix", "-x-", /mesos-cluster:containerPrefix: must be empty or lower-case letters/],
    ["masters", JSON.stringify(["-m=10.20.0.11"]), /mesos-cluster:masters\[0\]: host name "-m" must be 1-32 lower-case letters/],
])("%s beginning with \"-\" is refused by its own rule", (key, value, message) => {
    expect(problemsOf({ ...prodFor(key), [K(key)]: value }).join("\n")).toMatch(message);
});

test('a mail password beginning with "-" is refused without being shown (the image passes it as a separate word)', async () => {
    const password = "-hunter2-and-more";
    const { error, registered } = await evaluateFailure({ ...stackConfig("prod"), [K("chronosMailPassword")]: password }, secretKeys());
    expect(error.message).toMatch(/mesos-cluster:chronosMailPassword: begins with "-", and Chronos's image passes it as the word after --mail_password/);
    expect(error.message).not.toContain(password);
    expect(registered).toBe(0);
    expect(TEST_SECRETS[K("chronosMailPassword")].startsWith("-")).toBe(false);
});

test("a spec whose image reference would begin with \"-\" is refused before any runtime sees it (the guard under the keys' rules)", () => {
    const t = stackTopology(readStackConfig(ROOT, "dev").values, { requireSecrets: false });
    expect(specProblems({ ...t, imageRegistry: "-x" }, SERVICES)).toContainEqual(
        expect.stringMatching(/^mesos-cluster:registry: zookeeper on host "local": its image reference "-x\/mesos-cluster\/zookeeper:3\.8" begins with "-"/),
    );
    expect(specProblems(t, SERVICES)).toEqual([]);
});
