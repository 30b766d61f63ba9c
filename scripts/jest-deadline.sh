#!/usr/bin/env bash
# Runs jest under a deadline on the whole run (JEST_DEADLINE seconds, default 2700): a test that
# leaves a handle open keeps jest from exiting, which once held CI until its own deadline and the
# submission was lost; a hang now fails within this one, and says so.
#   scripts/jest-deadline.sh [jest arguments...]
set -euo pipefail
deadline=${JEST_DEADLINE:-2700}
rc=0
timeout --kill-after=30 "$deadline" npx jest "$@" || rc=$?
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    echo "jest still running after ${deadline} s (JEST_DEADLINE): stopped. If every suite had passed, a test left a process, server or timer running (jest --detectOpenHandles names it)." >&2
fi
exit "$rc"
