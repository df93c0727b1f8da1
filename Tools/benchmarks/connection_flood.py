#!/usr/bin/env python3
"""Connection flood against `csanmt serve --max-connections`: opens more idle connections than the cap, checks that
a client over the cap gets 503 too_many_connections, then closes the flood and measures how long a new client waits
for `GET /api/health` to answer 200. Prints one JSON line; exits 1 if that takes 1 s or more.

    Tools/benchmarks/connection_flood.py --bin .build/release/csanmt --cap 200 --flood 600
"""

from __future__ import annotations

import argparse
import json
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=str(Path(__file__).resolve().parents[2] / ".build/release/csanmt"))
    ap.add_argument("--cap", type=int, default=200, help="the server's max_connections (default 200)")
    ap.add_argument("--flood", type=int, default=600, help="idle connections opened (default 600)")
    args = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))   # the client needs a descriptor per connection too
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    work = Path(tempfile.mkdtemp(prefix="csanmt-flood-"))
    server = subprocess.Popen([args.bin, "serve", "--db", str(work / "db.sqlite"), "--port", str(port), "--metrics-port", "0"],
                              env={"CSANMT_MAX_CONNECTIONS": str(args.cap), "PATH": "/usr/bin:/bin"},
                              stdout=open(work / "server.log", "wb"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/api/health"

    def health() -> int:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code
        except OSError:
            return 0
    try:
        deadline = time.time() + 120
        while health() != 200:
            if time.time() > deadline or server.poll() is not None:
                sys.exit("server did not start; see " + str(work / "server.log"))
            time.sleep(0.25)
        flood = []
        for _ in range(args.flood):
            flood.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        time.sleep(0.5)
        over_cap = health()
        start = time.monotonic()
        for s in flood:
            s.close()
        while health() != 200:
            time.sleep(0.005)
        seconds = time.monotonic() - start
        result = {"cap": args.cap, "flood": args.flood, "status_over_cap": over_cap,
                  "seconds_to_answer_after_flood": round(seconds, 3), "server_alive": server.poll() is None}
        print(json.dumps(result))
        return 0 if over_cap == 503 and seconds < 1 and result["server_alive"] else 1
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
