#!/usr/bin/env python3
"""Soak test: `csanmt serve` (release, Redis on) under steady mixed load for a given time.

Every 10 s it samples the server's resident memory (VmRSS), its open file descriptors and the latency of the
requests of that window (p50, p99), and counts every status: an *unexpected* status is one that request kind
should never get (e.g. a 500, or a 401 on a valid token). It stops by itself, then writes a CSV, a PNG plot and a
JSON summary (RSS growth after the warm-up, descriptor growth, unexpected statuses) and exits 1 when a goal is
missed. See README.md.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
TEXTS = ["今天天气很好。", "我们明天在公司见面。", "阿里巴巴的使命是让天下没有难做的生意。", "请把这份文件翻译成英文。",
         "他说：“这个问题很复杂，需要更多时间。”", "机器翻译的质量在过去十年里提高了很多。"]


DISTINCT = 100_000


def text(rng: random.Random) -> str:
    """A sentence; two in three carry one of DISTINCT numbers, so that many miss the translation cache and reach the
    engine (with a large DISTINCT the caches keep filling for the whole run; see --distinct)."""
    return rng.choice(TEXTS) + (f"第{rng.randint(1, DISTINCT)}号文件已经送到。" if rng.random() < 2 / 3 else "")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """One keep-alive connection; reconnects when the server closes it."""

    def __init__(self, port: int):
        self.port = port
        self.conn: http.client.HTTPConnection | None = None

    def call(self, method: str, path: str, body=None, token: str | None = None, raw: bytes | None = None):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = "Bearer " + token
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        for attempt in (1, 2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                start = time.monotonic()
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                payload = response.read()
                return response.status, payload, time.monotonic() - start
            except (http.client.HTTPException, ConnectionError, OSError):
                if self.conn:
                    self.conn.close()
                self.conn = None
                if attempt == 2:
                    return 0, b"", 0.0
        return 0, b"", 0.0


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.counts: dict[str, int] = {}
        self.unexpected: dict[str, int] = {}

    def add(self, kind: str, status: int, seconds: float, expected: set[int]):
        with self.lock:
            key = f"{kind} {status}"
            self.counts[key] = self.counts.get(key, 0) + 1
            if status not in expected:
                self.unexpected[key] = self.unexpected.get(key, 0) + 1
            if kind.startswith("translate") and status == 200:
                self.latencies.append(seconds)

    def window(self) -> list[float]:
        with self.lock:
            out, self.latencies = self.latencies, []
            return out


def cli(binary: Path, db: Path, *args: str) -> str:
    return subprocess.run([str(binary), *args, "--db", str(db)], check=True, capture_output=True, text=True).stdout


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=30, help="how long the load runs (default 30)")
    ap.add_argument("--warmup", type=float, default=5, help="minutes before RSS growth is measured (default 5)")
    ap.add_argument("--bin", default=str(REPO / ".build/release/csanmt"), help="the csanmt binary (default the release build)")
    ap.add_argument("--workers", type=int, default=4, help="client threads (default 4)")
    ap.add_argument("--out", default=str(REPO / "docs/soak"), help="folder for soak.csv, soak.png, soak.json")
    ap.add_argument("--distinct", type=int, default=100_000,
                    help="numbers mixed into the texts (default 100000: the caches fill all along; a few hundred: they fill in the warm-up)")
    ap.add_argument("--rescore", action="store_true", help="recompute soak.json's growth and the plot from --out's files")
    args = ap.parse_args()
    if args.rescore:
        return rescore(Path(args.out))
    global DISTINCT
    DISTINCT = args.distinct

    binary = Path(args.bin)
    if not binary.exists():
        sys.exit(f"no binary at {binary}: swift build -c release --product csanmt")
    work = Path(tempfile.mkdtemp(prefix="csanmt-soak-"))
    db = work / "soak.sqlite"
    redis_port, port = free_port(), free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no"], stdout=subprocess.DEVNULL)
    operator_key = cli(binary, db, "operator", "create", "--id", "soak_op", "--name", "Soak").strip().splitlines()[-1]
    keys = {}
    for tenant in ("soak_a", "soak_b", "soak_c"):
        cli(binary, db, "tenant", "create", "--id", tenant, "--name", tenant,
            "--scopes", "translate:basic,translate:batch,usage:read,tenant:admin",
            "--requests-per-second", "unlimited", "--characters-per-minute", "unlimited", "--max-in-flight", "unlimited")
        keys[tenant] = cli(binary, db, "key", "create", "--tenant", tenant).strip().splitlines()[-1]
    log = open(work / "server.log", "wb")
    server = subprocess.Popen([str(binary), "serve", "--db", str(db), "--port", str(port), "--metrics-port", "0",
                               "--redis", f"redis://127.0.0.1:{redis_port}", "--audit-log", str(work / "audit.log")],
                              stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 120
    while time.time() < deadline:
        if Client(port).call("GET", "/api/ready")[0] == 200:
            break
        time.sleep(0.5)
    else:
        sys.exit("server not ready; see " + str(work / "server.log"))

    stats = Stats()
    stop = threading.Event()

    def worker(n: int):
        rng = random.Random(n)
        c = Client(port)
        tenant = ("soak_a", "soak_b", "soak_c")[n % 3]

        def token_for(path, body):
            s, p, _ = c.call("POST", path, body)
            return json.loads(p)["token"] if s == 200 else None
        token = token_for("/api/v1/auth/token", {"tenant_id": tenant, "api_key": keys[tenant]})
        op = token_for("/api/v1/auth/operator-token", {"operator_id": "soak_op", "api_key": operator_key})
        while not stop.is_set():
            r = rng.random()
            if r < 0.45:
                s, _, t = c.call("POST", "/api/v1/translate", {"text": text(rng)}, token)
                stats.add("translate", s, t, {200})
            elif r < 0.60:
                s, _, t = c.call("POST", "/api/v1/translate", {"text": [text(rng) for _ in range(3)]}, token)
                stats.add("translate-batch", s, t, {200})
            elif r < 0.70:
                s, _, t = c.call("GET", "/api/v1/usage", token=token)
                stats.add("usage", s, t, {200})
            elif r < 0.78:
                s, _, t = c.call("GET", rng.choice(["/api/v1/admin/tenants", "/api/v1/admin/audit?limit=20",
                                                   "/api/v1/admin/usage", "/api/v1/status"]), token=op)
                stats.add("admin", s, t, {200})
            elif r < 0.90:
                bad = rng.choice([("POST", "/api/v1/translate", None, b"{not json", token, {400}),
                                  ("POST", "/api/v1/translate", {"text": "x", "extra": 1}, None, token, {400}),
                                  ("GET", "/api/v1/usage", None, None, "not.a.token", {401}),
                                  ("GET", "/api/v1/nothing", None, None, token, {404}),
                                  ("POST", "/api/v1/auth/token", {"tenant_id": tenant, "api_key": "csk_wrong"}, None, None, {401}),
                                  ("GET", "/api/v1/admin/tenants/soak_b", None, None, token if tenant != "soak_b" else op, {200, 403})])
                method, path, body, raw, tok, expected = bad
                s, _, t = c.call(method, path, body, tok, raw)
                stats.add("bad-request", s, t, expected)
            else:
                s, p, t = c.call("POST", "/api/v1/auth/refresh", token=token)
                stats.add("refresh", s, t, {200})
                if s == 200:
                    token = json.loads(p)["token"]
                s, p, t = c.call("POST", "/api/v1/auth/refresh", token=op)
                stats.add("refresh", s, t, {200})
                if s == 200:
                    op = json.loads(p)["token"]

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(args.workers)]
    for t in threads:
        t.start()
    rows = []
    start = time.time()
    end = start + args.minutes * 60
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    try:
        while time.time() < end and server.poll() is None:
            time.sleep(10)
            status = Path(f"/proc/{server.pid}/status").read_text()
            rss_kb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))
            fds = len(os.listdir(f"/proc/{server.pid}/fd"))
            window = sorted(stats.window())
            p50 = statistics.median(window) if window else 0.0
            p99 = window[min(len(window) - 1, int(0.99 * len(window)))] if window else 0.0
            rows.append({"seconds": round(time.time() - start), "rss_mb": round(rss_kb / 1024, 1), "fds": fds,
                         "p50_ms": round(p50 * 1000, 1), "p99_ms": round(p99 * 1000, 1), "translations": len(window)})
            print(json.dumps(rows[-1]), flush=True)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=130)
        crashed = server.poll() is not None
        server.terminate()
        server.wait(timeout=30)
        redis.terminate()

    with open(out / "soak.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    summary = {"minutes": args.minutes, "warmup_minutes": args.warmup, "workers": args.workers, "distinct": args.distinct}
    summary.update(growth(rows, args.warmup))
    summary.update({"requests": sum(stats.counts.values()), "statuses": dict(sorted(stats.counts.items())),
                    "unexpected": stats.unexpected, "server_crashed": crashed})
    return report(summary, rows, args.warmup, out, f"(server log: {work / 'server.log'})")


def growth(rows: list[dict], warmup_minutes: float) -> dict:
    """RSS and descriptor growth after the warm-up. RSS moves by tens of MiB from one sample to the next (the
    engine's batch buffers come and go), so growth compares the median of the first five minutes after the
    warm-up with the median of the last five: a leak shows as a trend, not as one high sample."""
    after = [r for r in rows if r["seconds"] >= warmup_minutes * 60] or rows
    first = [r["rss_mb"] for r in after if r["seconds"] < after[0]["seconds"] + 300]
    last = [r["rss_mb"] for r in after if r["seconds"] > after[-1]["seconds"] - 300]
    return {"rss_mb_median_first_5_min_after_warmup": statistics.median(first),
            "rss_mb_median_last_5_min": statistics.median(last),
            "rss_mb_min_after_warmup": min(r["rss_mb"] for r in after), "rss_mb_max_after_warmup": max(r["rss_mb"] for r in after),
            "rss_growth_after_warmup": round((statistics.median(last) - statistics.median(first)) / statistics.median(first), 4),
            "fds_after_warmup": after[0]["fds"], "fds_end": rows[-1]["fds"], "fds_max": max(r["fds"] for r in rows)}


def report(summary: dict, rows: list[dict], warmup: float, out: Path, note: str) -> int:
    """Writes soak.json and soak.png; 0 when every goal is met."""
    (out / "soak.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    plot(rows, warmup, out / "soak.png")
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    ok = (not summary["server_crashed"] and not summary["unexpected"] and summary["rss_growth_after_warmup"] < 0.05
          and summary["fds_end"] <= summary["fds_after_warmup"] + 2)
    print("soak:", "goals met" if ok else "GOAL MISSED", note)
    return 0 if ok else 1


def rescore(out: Path) -> int:
    """`--rescore`: the growth figures and plot again from an earlier run's soak.csv and soak.json."""
    with open(out / "soak.csv") as f:
        rows = [{k: float(v) for k, v in r.items()} for r in csv.DictReader(f)]
    summary = json.loads((out / "soak.json").read_text())
    for key in [k for k in summary if k.startswith("rss_") or k.startswith("fds_")]:
        del summary[key]
    summary.update(growth(rows, summary["warmup_minutes"]))
    return report(summary, rows, summary["warmup_minutes"], out, "(rescored from soak.csv)")


def plot(rows, warmup_minutes: float, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    minutes = [r["seconds"] / 60 for r in rows]
    fig, axes = plt.subplots(3, 1, figsize=(9, 8), sharex=True)
    axes[0].plot(minutes, [r["rss_mb"] for r in rows])
    axes[0].set_ylabel("RSS (MiB)")
    axes[1].plot(minutes, [r["fds"] for r in rows], color="tab:green")
    axes[1].set_ylabel("open files")
    axes[2].plot(minutes, [r["p50_ms"] for r in rows], label="p50")
    axes[2].plot(minutes, [r["p99_ms"] for r in rows], label="p99")
    axes[2].set_ylabel("translate latency (ms)")
    axes[2].legend()
    axes[2].set_xlabel("minutes")
    for ax in axes:
        ax.axvline(warmup_minutes, color="grey", linestyle=":", linewidth=1)
        ax.grid(alpha=0.3)
    fig.suptitle("csanmt serve under steady mixed load (release, Redis on)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


if __name__ == "__main__":
    sys.exit(main())
