#!/usr/bin/env bash
# ShellCheck (Debian's shellcheck) over the shell files given, or over every shell file of the
# repository: the *.sh files git tracks or would track, and the others whose first line starts a
# shell (.ci/run). Any finding fails, at every severity down to style: none is lowered, so a line
# that must stay as it is says which check it disables and why, on the line before it.
#   scripts/shellcheck.sh [--list] [FILE...]    --list: print the files, check nothing
# Without shellcheck it warns and passes, as the suites without their tools skip, unless
# REQUIRE_TOOLS=1 (CI, which installs it), where it fails.
set -euo pipefail
cd "$(dirname "$0")/.."

shell_files() {
    local file first
    # Untracked files count too, so that a new script is checked before it is added.
    git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' file; do
        [ -f "$file" ] || continue
        first=""
        [[ $file == *.sh ]] || IFS= read -r first <"$file" || true
        if [[ $file == *.sh || $first =~ ^'#!'\ *(/usr)?/bin/(env\ +)?(ba|da)?sh(\ |$) ]]; then
            echo "$file"
        fi
    done | sort -u
}

list=0
if [ "${1:-}" = --list ]; then
    list=1
    shift
fi
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
    mapfile -t files < <(shell_files)
    if [ ${#files[@]} -eq 0 ]; then
        echo "scripts/shellcheck.sh: no shell files found; is this a git checkout?" >&2
        exit 1
    fi
fi
if [ "$list" = 1 ]; then
    printf '%s\n' "${files[@]}"
    exit 0
fi

if ! command -v shellcheck >/dev/null; then
    if [ "${REQUIRE_TOOLS:-}" = 1 ]; then
        echo "REQUIRE_TOOLS=1 but shellcheck is not installed (apt-get install shellcheck)" >&2
        exit 1
    fi
    echo "shellcheck not found: skipping the shell files' check (apt-get install shellcheck)." >&2
    exit 0
fi
# Sourced files are read where a `# shellcheck source=` directive names them (from the root).
shellcheck --severity=style --external-sources -- "${files[@]}"
echo "shellcheck $(shellcheck --version | sed -n 's/^version: //p'): ${#files[@]} shell files, no finding"
