#!/bin/sh
# With the password file mounted, writes the htpasswd file the config names, bcrypt-hashed as
# the registry requires: the password reaches htpasswd on stdin, never on a command line, in the
# environment or in the config. Then runs the registry with the given arguments.
set -eu
password_file=${PASSWORD_FILE:-/etc/docker/registry/password}
htpasswd_file=${HTPASSWD_FILE:-/run/registry/htpasswd}
if [ -f "$password_file" ]; then
  : "${LOGIN_USER:?LOGIN_USER names the user of the password file}"
  mkdir -p "$(dirname "$htpasswd_file")"
  umask 077
  htpasswd -iBc "$htpasswd_file" "$LOGIN_USER" < "$password_file" 2>/dev/null
fi
exec docker-registry "$@"
