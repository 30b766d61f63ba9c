#!/usr/bin/python3
"""Fills ZooKeeper paths with nodes, or dumps every node under them, for the backup test.

usage: zk_tree.py fill|dump, its question as JSON on stdin, one JSON line out.

fill: {"connect": C, "owners": {"/marathon": "user:password", "/bamboo": "", ...}, "under": "e2e-backup", "count": N}
  creates N nodes in all, shared out over the owners' paths (PATH/UNDER/n-00000), each with its
  own data and the ACL a service gives its nodes (its user: all; anyone: read), logged in as the
  path's owner; a path without an owner ("") gets open nodes, as Bamboo (no ZooKeeper login) makes; every fifth node is written again (version 1) so that versions are told apart.
dump: {"connect": C, "paths": ["/marathon", ...]}
  every node under the paths (the paths included): data (base64), ACL, version, cversion,
  aversion, czxid, mzxid, ephemeralOwner; a missing path dumps nothing.
Needs Debian's python3-kazoo.
"""
import base64
import json
import sys

from kazoo.client import KazooClient
from kazoo.exceptions import NoNodeError
from kazoo.security import OPEN_ACL_UNSAFE, READ_ACL_UNSAFE, make_digest_acl


def client(connect, auth=None):
    c = KazooClient(hosts=connect, timeout=20.0)
    c.start(timeout=60)
    if auth:
        c.add_auth("digest", auth)
    return c


def fill(q):
    owners = sorted(q["owners"].items())
    per = [q["count"] // len(owners) + (1 if i < q["count"] % len(owners) else 0) for i in range(len(owners))]
    made = 0
    for (path, auth), n in zip(owners, per):
        if auth:
            user, password = auth.split(":", 1)
            acl = [make_digest_acl(user, password, all=True), READ_ACL_UNSAFE[0]]
        else:
            acl = OPEN_ACL_UNSAFE
        c = client(q["connect"], auth)
        c.ensure_path(path)
        base = f"{path}/{q['under']}"
        c.create(base, b"", acl=acl)
        for start in range(0, n, 500):
            pending = [c.create_async(f"{base}/n-{i:05d}", f"{path} node {i} ".encode() * (1 + i % 7), acl=acl) for i in range(start, min(n, start + 500))]
            for p in pending:
                p.get(timeout=60)
            again = [c.set_async(f"{base}/n-{i:05d}", f"{path} node {i} written again".encode()) for i in range(start, min(n, start + 500)) if i % 5 == 0]
            for p in again:
                p.get(timeout=60)
        made += n
        c.stop()
        c.close()
    return {"made": made}


def dump(q):
    c = client(q["connect"])
    nodes = {}

    # Level by level, each level's reads in flight together (10,000 nodes in seconds, not minutes).
    level = list(q["paths"])
    while level:
        asked = [(p, c.get_async(p), c.get_acls_async(p), c.get_children_async(p)) for p in level]
        level = []
        for path, got, acls, kids in asked:
            try:
                data, stat = got.get(timeout=60)
                acl, _ = acls.get(timeout=60)
                children = kids.get(timeout=60)
            except NoNodeError:
                continue
            nodes[path] = {
                "data": None if data is None else base64.b64encode(data).decode(),
                "acl": sorted([a.perms, a.id.scheme, a.id.id] for a in acl),
                "version": stat.version,
                "cversion": stat.cversion,
                "aversion": stat.aversion,
                "czxid": stat.czxid,
                "mzxid": stat.mzxid,
                "ephemeralOwner": stat.ephemeralOwner,
            }
            level.extend(f"{path}/{child}" for child in sorted(children))

    c.stop()
    c.close()
    return nodes


if __name__ == "__main__":
    question = json.load(sys.stdin)
    print(json.dumps({"fill": fill, "dump": dump}[sys.argv[1]](question)))
