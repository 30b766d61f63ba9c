import * as remote from "@pulumi/command/remote";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { REGISTRY_PASSWORD } from "../credentials";
import { hostFiles, pullFrom, unitName } from "../render/systemdUnit";
import { HostFile, SecretValues, ServiceRuntime, ServiceSpec, fileContent, imageRef } from "../spec";

/** Arguments of the systemd runtime. */
export interface SystemdRuntimeArgs {
    readonly sshUser: string;
    readonly sshPort: number;
    /** A Pulumi secret. */
    readonly sshPrivateKey: pulumi.Output<string>;
    /** Registry the hosts pull images from; "" for images already on the hosts. */
    readonly registry: string;
    /**
     * The registry wants a login as `username` with the generated password: pulls use the
     * generated Docker client config, pushes the password (both secrets).
     */
    readonly registryLogin?: { readonly username: string };
    /**
     * The registry is the cluster's own: this machine's Docker engine builds each image from
     * `imagesDir` and pushes it there before the units that run it.
     */
    readonly push?: { readonly imagesDir: string };
}

/** Single-quotes a word for a POSIX shell. */
export function shellQuote(word: string): string {
    return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * Reads `MODE PATH BASE64` records from stdin and installs each file that differs, enables the
 * unit, makes sure the image is there (PULL: 0 pulls nothing, 1 pulls, a folder pulls with the
 * login of the Docker client config there), and (re)starts the unit:
 * restart only if one of its files changed; then waits until HEALTH (run in the container)
 * succeeds, or fails after TIMEOUT seconds with the unit's last log lines. Running it twice
 * changes nothing the second time.
 * Arguments: UNIT IMAGE PULL CONTAINER TIMEOUT HEALTH...
 */
export const CREATE_SCRIPT = `set -eu
unit=$1 image=$2 pull=$3 container=$4 timeout=$5
shift 5
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
changed=0
while read -r mode path data; do
  [ -n "$path" ] || continue
  printf '%s' "$data" | base64 -d > "$tmp/file"
  if ! cmp -s "$tmp/file" "$path" || [ "$(stat -c %a "$path")" != "\${mode#0}" ]; then
    mkdir -p "$(dirname "$path")"
    install -m "$mode" "$tmp/file" "$path.new"
    mv -f "$path.new" "$path"
    changed=1
  fi
done
[ "$changed" = 0 ] || systemctl daemon-reload
systemctl enable --quiet "$unit"
case $pull in
  0) ;;
  1) docker pull -q "$image" >/dev/null 2>&1 || true ;;
  *) docker --config "$pull" pull -q "$image" >/dev/null 2>&1 || true ;;
esac
if ! docker image inspect "$image" >/dev/null 2>&1; then
  echo "mesos-cluster: $unit is written and enabled, but image $image is not on this host$([ "$pull" = 0 ] || echo " and could not be pulled")" >&2
  exit 1
fi
if [ "$changed" = 1 ]; then
  systemctl restart "$unit"
else
  systemctl start "$unit"
fi
started=$(date +%s)
until docker exec "$container" "$@" >/dev/null 2>&1; do
  if [ $(( $(date +%s) - started )) -ge "$timeout" ]; then
    echo "mesos-cluster: $unit is not ready after \${timeout}s (its health check: $*); its last log lines:" >&2
    journalctl -u "$unit" -n 20 --no-pager >&2 2>/dev/null || docker logs --tail 20 "$container" >&2 || true
    exit 1
  fi
  sleep 2
done
echo "$unit: $(systemctl is-active "$unit"), ready after $(( $(date +%s) - started ))s (changed=$changed)"`;

/** Stops and disables the unit and removes its files; data directories stay. */
export const DELETE_SCRIPT = `set -eu
unit=$1
shift
systemctl disable --now "$unit" 2>/dev/null || true
rm -f "$@"
systemctl daemon-reload
systemctl reset-failed "$unit" 2>/dev/null || true
echo "$unit: removed"`;

/** The stdin that carries a service's files to CREATE_SCRIPT. */
export function bundle(files: readonly HostFile[]): string {
    return files.map((f) => `${f.mode} ${f.path} ${Buffer.from(f.content).toString("base64")}\n`).join("");
}

/** The bundle with every template filled in: a Pulumi secret as soon as one file holds a secret. */
function secretBundle(files: readonly HostFile[], secrets: SecretValues): pulumi.Output<string> {
    const contents = files.map((f) => fileContent({ container: f.path, host: f.path, mode: f.mode, template: f.content }, secrets));
    return pulumi.all(contents).apply((filled) => bundle(files.map((f, i) => ({ ...f, content: filled[i] }))));
}

/**
 * Runs each spec as a systemd unit on its host, written over SSH by one `remote.Command`:
 * create and update write the files and (re)start the unit, delete removes them.
 */
export class SystemdRuntime implements ServiceRuntime {
    private readonly pushed = new Map<string, docker.Image>();
    private localEngine?: docker.Provider;
    /** What the pushes wait for: the registry, once the cluster has deployed it. */
    private registryServed?: readonly pulumi.Resource[];

    constructor(
        private readonly name: string,
        private readonly args: SystemdRuntimeArgs,
        private readonly parent: pulumi.Resource,
        private readonly secrets: SecretValues,
    ) {}

    registryReady(ready: readonly pulumi.Resource[]): void {
        this.registryServed = ready;
    }

    /**
     * The image pushed to the cluster's registry, once per image: built by this machine's
     * engine once the registry is ready (or, if the cluster never said, after `dependsOn`).
     */
    private pushedImage(spec: ServiceSpec, image: string, dependsOn: readonly pulumi.Resource[]): docker.Image | undefined {
        const { push, registryLogin } = this.args;
        if (push === undefined || spec.image.local === true) {
            return undefined;
        }
        let pushed = this.pushed.get(image);
        if (pushed === undefined) {
            this.localEngine ??= new docker.Provider(`${this.name}-docker-local`, {}, { parent: this.parent });
            const context = `${push.imagesDir}/${spec.image.context}`;
            pushed = new docker.Image(
                `${this.name}-push-${spec.image.context}`,
                {
                    imageName: image,
                    build: { context, dockerfile: `${context}/Dockerfile`, platform: "linux/amd64" },
                    registry:
                        registryLogin === undefined
                            ? undefined
                            : { server: this.args.registry, username: registryLogin.username, password: this.secret(REGISTRY_PASSWORD) },
                },
                { parent: this.parent, provider: this.localEngine, dependsOn: [...(this.registryServed ?? dependsOn)] },
            );
            this.pushed.set(image, pushed);
        }
        return pushed;
    }

    private secret(name: string): pulumi.Output<string> {
        const value = this.secrets[name];
        if (value === undefined) {
            throw new Error(`the systemd runtime needs the secret "${name}", which was not generated`);
        }
        return value;
    }

    /** The command line that runs `script` with `words` as $1.., as root. */
    private command(script: string, words: readonly string[]): string {
        const sudo = this.args.sshUser === "root" ? "" : "sudo -n ";
        return `${sudo}sh -c ${shellQuote(script)} mesos-cluster ${words.map(shellQuote).join(" ")}`;
    }

    deploy(name: string, spec: ServiceSpec, parent: pulumi.Resource, dependsOn: readonly pulumi.Resource[]): pulumi.Resource[] {
        const image = imageRef(spec.image, this.args.registry);
        const pull = pullFrom(spec, this.args.registry, this.args.registryLogin !== undefined);
        const files = hostFiles(spec, image, pull);
        const unit = unitName(spec);
        const pushed = this.pushedImage(spec, image, dependsOn);
        const create = this.command(CREATE_SCRIPT, [
            unit,
            image,
            pull === false ? "0" : pull === true ? "1" : pull.configDir,
            spec.containerName,
            String(spec.health.timeoutSeconds),
            ...spec.health.command,
        ]);
        const command = new remote.Command(
            `${name}-unit`,
            {
                connection: {
                    host: spec.host.address,
                    port: this.args.sshPort,
                    user: this.args.sshUser,
                    privateKey: this.args.sshPrivateKey,
                },
                create,
                update: create,
                delete: this.command(DELETE_SCRIPT, [unit, ...files.map((f) => f.path)]),
                stdin: secretBundle(files, this.secrets),
                // A service moved to another address is removed from the old host and created anew;
                // so is one whose pushed image changed (same tag, new digest): its create pulls it.
                triggers: [spec.host.address, unit, ...(pushed === undefined ? [] : [pushed.repoDigest])],
                // The provider would Setenv its previous output, which sshd refuses without AcceptEnv.
                addPreviousOutputInEnv: false,
                logging: "none",
            },
            {
                parent,
                // Its create returns once the service is ready, so dependents start after that.
                dependsOn: [...dependsOn, ...(pushed === undefined ? [] : [pushed])],
                // The replacement's create writes the same paths the old delete removes.
                deleteBeforeReplace: true,
                additionalSecretOutputs: ["stdout", "stderr"],
            },
        );
        return [command];
    }
}
