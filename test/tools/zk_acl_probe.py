#!/usr/bin/python3
"""What a ZooKeeper client may do under a path: read it, create a child, change it, delete.

Reads one JSON object on stdin: {"connect": "h:2181,...", "path": "/mesos", "auth":
"user:password" or null, "keep": bool, "victim": a znode or null, "delete_path": bool}. As that
user (digest) or anonymous it tries in turn: reading PATH; creating PATH/acl-probe-<pid>; changing
PATH's data (to what it holds); deleting "victim" if given, else the child it made unless "keep";
deleting PATH itself if "delete_path". Prints one JSON line: each step's outcome, "ok" or the
error's name (NoAuthError, ...), and "child": the child it made and kept. Needs python3-kazoo.
"""
import json
import os
import sys

from kazoo.client import KazooClient


def main() -> None:
    ask = json.load(sys.stdin)
    auth = [("digest", ask["auth"])] if ask.get("auth") else None
    client = KazooClient(hosts=ask["connect"], timeout=10.0, auth_data=auth)
    client.start(timeout=30)
    path = ask["path"]
    out = {}

    def attempt(name, fn):
        try:
            fn()
            out[name] = "ok"
        except Exception as e:  # noqa: BLE001 - the outcome is what is reported
            out[name] = type(e).__name__

    attempt("read", lambda: client.get(path))
    child = f"{path}/acl-probe-{os.getpid()}"
    attempt("create", lambda: client.create(child, b"probe"))
    attempt("change", lambda: client.set(path, client.get(path)[0]))
    victim = ask.get("victim") or (None if ask.get("keep") or out["create"] != "ok" else child)
    if victim:
        attempt("delete", lambda: client.delete(victim))
    if ask.get("delete_path"):
        attempt("delete_path", lambda: client.delete(path))
    out["child"] = child if ask.get("keep") and out["create"] == "ok" else None
    client.stop()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
