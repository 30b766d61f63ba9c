#!/usr/bin/python3
"""Writes to a ZooKeeper ensemble without pause while a test changes it, then checks the writes.

usage: zk_writer.py CONNECT PATH [INTERVAL_MS]

Creates PATH/w-0000000001, PATH/w-0000000002, ... one every INTERVAL_MS (20 by default) until
its stdin closes, then reads PATH back and prints one JSON line: how many writes were
acknowledged, how many failed (a failure may still have been committed: ConnectionLoss says
nothing either way), how many acknowledged writes are missing afterwards ("lost"), the longest
time between two acknowledged writes ("gap_s") and when it began (epoch seconds), every gap
over 0.2 s as [began, seconds] ("gaps"), and the acknowledged writes per second. Needs Debian's python3-kazoo.
"""
import json
import sys
import threading
import time

from kazoo.client import KazooClient
from kazoo.exceptions import KazooException, NodeExistsError


def main() -> None:
    connect, path = sys.argv[1], sys.argv[2]
    interval = (int(sys.argv[3]) if len(sys.argv) > 3 else 20) / 1000
    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()

    client = KazooClient(hosts=connect, timeout=10.0, connection_retry={"max_tries": -1, "delay": 0.05, "max_delay": 0.2})
    client.start(timeout=30)
    client.ensure_path(path)
    acked, failed = [], 0
    last_ok = time.time()
    gap, gap_at = 0.0, last_ok
    gaps = []
    n = 0
    while not stop.is_set():
        n += 1
        node = f"{path}/w-{n:010d}"
        try:
            client.create_async(node, str(time.time()).encode()).get(timeout=30)
            acked.append(node)
        except NodeExistsError:
            # A retried create whose first attempt was committed.
            acked.append(node)
        except KazooException:
            failed += 1
            time.sleep(interval)
            continue
        except Exception:  # noqa: BLE001 - a closed connection raises plain errors too
            failed += 1
            time.sleep(interval)
            continue
        now = time.time()
        if now - last_ok > 0.2:
            gaps.append([round(last_ok, 3), round(now - last_ok, 3)])
        if now - last_ok > gap:
            gap, gap_at = now - last_ok, last_ok
        last_ok = now
        time.sleep(interval)
    # Bounded: a reader that cannot reach the ensemble fails rather than waits for ever.
    started = client.get_async(path).get(timeout=60)[1].ctime / 1000
    present = set(f"{path}/{c}" for c in client.get_children_async(path).get(timeout=60))
    lost = [a for a in acked if a not in present]
    elapsed = max(time.time() - started, 1e-9)
    client.stop()
    print(json.dumps({"acked": len(acked), "failed": failed, "lost": len(lost), "gap_s": round(gap, 3), "gap_at": round(gap_at, 3), "gaps": gaps, "per_s": round(len(acked) / elapsed, 1)}))


if __name__ == "__main__":
    main()
