#!/usr/bin/env bash
# npm run toolchain: the Pulumi CLI built from its Go module at the version of @pulumi/pulumi in
# package.json (toolchain/cli/go.mod pins it; test/toolchain.test.ts holds the two together),
# installed in .toolchain/bin. The build is kept in a cache outside the clone, keyed by everything
# that goes into it, so a second run, or a fresh clone on the same machine, reuses it in seconds.
# Then each plugin of toolchain/plugins.json is asked of the module proxy, and what is missing is
# said with what it costs. The last line printed is the folder that holds `pulumi`.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
[ -d node_modules ] || npm ci --no-audit --no-fund >&2
CLI_MODULE=toolchain/cli
BIN=$ROOT/.toolchain/bin
CACHE=${MESOS_CLUSTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mesos-cluster}/toolchain
say() { echo "toolchain: $*" >&2; }

# Debian's golang-go (1.19) may come first on PATH; the CLI's module needs the go line of its go.mod.
need=$(awk '$1 == "go" { print $2; exit }' "$CLI_MODULE/go.mod")
go_ok() { # go_ok GO: its version is at least $need
    local v
    v=$("$1" env GOVERSION 2>/dev/null) || return 1
    v=${v#go}
    [ "$(printf '%s\n%s\n' "$need" "$v" | sort -V | head -n1)" = "$need" ]
}
GO=
for candidate in "${GO_BIN:-}" /usr/local/go/bin/go "$(command -v go || true)"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ] && go_ok "$candidate"; then GO=$candidate; break; fi
done
if [ -z "$GO" ]; then
    say "no Go $need or later found (tried \$GO_BIN, /usr/local/go/bin/go and the go on PATH: $(command -v go >/dev/null && go version || echo none));"
    say "install Go $need or later and put it first on PATH, or set GO_BIN=/path/to/go"
    exit 1
fi

version=$(awk '$1 == "github.com/pulumi/pulumi/pkg/v3" { print $2; exit }' "$CLI_MODULE/go.mod")
# The release build's settings (pulumi/pulumi .goreleaser.yml): static, no cgo.
export CGO_ENABLED=0 GOFLAGS=-mod=readonly

# build_cached LABEL MODULE_DIR PACKAGE OUT -- GO_BUILD_FLAGS...: OUT, built once per everything
# that goes into it (the module's files, Go's version, the flags) and kept in $CACHE.
build_cached() {
    local label=$1 dir=$2 package=$3 out=$4
    shift 5
    local key cached tmp start
    key=$( { cat "$dir"/go.mod "$dir"/go.sum; find "$dir" -name '*.go' -print0 | sort -z | xargs -0r cat; "$GO" env GOVERSION GOOS GOARCH; printf '%s\n' "$@"; } | sha256sum | cut -c1-16)
    cached=$CACHE/$label-$key
    if [ -x "$cached/bin" ]; then
        say "reused the build of $label ($cached)"
    else
        say "building $label with $("$GO" env GOVERSION) (the CLI: about 5 minutes cold on 2 cores; Go caches modules and objects)"
        start=$SECONDS
        (cd "$dir" && "$GO" mod download -x 2>&1) | awk '/^# get .*: 200 OK/ { n++; if (n % 100 == 0) printf "toolchain: downloaded %d modules\n", n > "/dev/stderr" }'
        mkdir -p "$CACHE"
        tmp=$(mktemp -d "$CACHE/.build.XXXXXX")
        (cd "$dir" && "$GO" build -v "$@" -o "$tmp/bin" "$package" 2>&1) |
            awk '{ n++; if (n % 200 == 0) printf "toolchain: compiled %d packages\n", n > "/dev/stderr" } /^(#|.*\.go:[0-9]+)/ { print > "/dev/stderr" }'
        if [ "${PIPESTATUS[0]}" -ne 0 ] || [ ! -x "$tmp/bin" ]; then
            rm -rf "$tmp"
            say "the build of $label failed (above)"
            exit 1
        fi
        # Renamed into place whole, so an interrupted build never leaves a cached half.
        rm -rf "$cached"
        mv "$tmp" "$cached"
        say "built $label in $((SECONDS - start)) s"
    fi
    mkdir -p "$(dirname "$out")"
    cmp -s "$cached/bin" "$out" || cp "$cached/bin" "$out"
}

build_cached "pulumi-$version" "$CLI_MODULE" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi "$BIN/pulumi" -- \
    -trimpath -tags osusergo,grpcnotrace -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version"
got=$("$BIN/pulumi" version)
[ "$got" = "$version" ] || { say "$BIN/pulumi reports $got, not $version"; exit 1; }
# The tests' stand-in provider (toolchain/standin/main.go says what it is and is not): built here,
# installed by the tests only, in a plugin folder of their own.
build_cached standin-provider toolchain/standin . "$ROOT/.toolchain/standin/pulumi-resource-standin" -- -trimpath

# The plugins. The module proxy answers each exact version at once: served, or refused.
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
missing=0
# Each plugin of toolchain/plugins.json with its npm package's version, a tab-separated row.
# shellcheck disable=SC2016 # JavaScript, whose ${...} are its own
plugin_rows='
    const { plugins } = require("./toolchain/plugins.json");
    for (const p of plugins) {
        const npm = require(`./node_modules/${p.npm}/package.json`).version;
        console.log([p.kind, p.name, npm, p.module, String(p.version), p.without].join("\t"));
    }'
while IFS=$'\t' read -r kind name npmVersion module moduleVersion without; do
    if [ "$moduleVersion" = "null" ]; then
        say "plugin $kind $name $npmVersion: not built: the upstream commit of that release is not known here ($module); without it, $without"
        missing=$((missing + 1))
        continue
    fi
    # A refusal is an answer, not a failure of this script.
    answer=$(cd "$probe" && { GOFLAGS=-mod=mod "$GO" mod download -json "$module@$moduleVersion" 2>&1 || true; })
    if grep -q '"Error"' <<<"$answer"; then
        # The proxy's answer, e.g. "403 Forbidden" (this proxy's word for a version it does not serve).
        reason=$(sed -n 's/.*"Error": ".*: \([0-9][0-9][0-9] [A-Za-z ]*\)\\n.*/\1/p' <<<"$answer" | head -n1)
        say "plugin $kind $name $npmVersion: not built: the module proxy refuses $module@$moduleVersion ($reason); without it, $without"
    else
        say "plugin $kind $name $npmVersion: $module@$moduleVersion is served, but building it is not written yet; without it, $without"
    fi
    missing=$((missing + 1))
done < <(node -e "$plugin_rows")
if [ "$missing" -gt 0 ]; then
    say "$missing plugin(s) missing: where they can be had (the Pulumi installer, or \`pulumi plugin install resource NAME VERSION --file BINARY\`"
    say "with PULUMI_HOME=$ROOT/.toolchain/pulumi-home), the engine finds them there; docs/development/engine.md says what runs without them"
fi
echo "$BIN"
