#!/bin/sh
# Chronos takes its SMTP password only as --mail_password. The program mounts it as a file, so
# that it is never in a unit, a container's environment or Pulumi's diff; this passes it on.
set -eu
UPSTREAM_ENTRYPOINT=${UPSTREAM_ENTRYPOINT:-/chronos/bin/start.sh}
MAIL_PASSWORD_FILE=${MAIL_PASSWORD_FILE:-/etc/chronos/mail-password}
if [ -r "$MAIL_PASSWORD_FILE" ]; then
    exec "$UPSTREAM_ENTRYPOINT" "$@" --mail_password "$(cat "$MAIL_PASSWORD_FILE")"
fi
exec "$UPSTREAM_ENTRYPOINT" "$@"
