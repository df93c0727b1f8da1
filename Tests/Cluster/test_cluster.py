#!/usr/bin/env python3
"""Black-box tests of a csanmt cluster: N replicas on one PostgreSQL and Redis, behind nginx, over HTTP only.

Run by Tests/Cluster/run inside Tools/cluster/run, which exports NGINX_URL, REPLICA_URLS, CLUSTER_DIR, OPERATOR_KEY
(see Tools/cluster/run). Standard library only. Each check prints one line with what it measured; the first failed
check stops the run with its numbers.
"""
import concurrent.futures as futures
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

NGINX = os.environ["NGINX_URL"]
REPLICAS = os.environ["REPLICA_URLS"].split(",")
DIR = os.environ["CLUSTER_DIR"]
ROOT = os.environ["CLUSTER_ROOT"]
CTL = os.path.join(ROOT, "Tools/cluster/ctl")
TEXT = "今天天气很好。"
UNLIMITED = {"requests_per_second": "unlimited", "characters_per_minute": "unlimited",
             "max_in_flight": "unlimited", "max_queued_sentences": "unlimited"}


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    @property
    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    @property
    def code(self):
        j = self.json
        return (j or {}).get("error", {}).get("code") if isinstance(j, dict) and isinstance(j.get("error"), dict) else None


def call(base, method, path, body=None, token=None, timeout=30):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return Response(r.status, dict(r.headers), r.read())
    except urllib.error.HTTPError as e:
        return Response(e.code, dict(e.headers), e.read())
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as e:
        return Response(0, {}, str(e).encode())


def check(condition, message):
    if not condition:
        print("FAIL: " + message, flush=True)
        sys.exit(1)
    print("ok: " + message, flush=True)


def ctl(*args):
    subprocess.run([CTL, DIR, *args], check=True)


def psql(sql):
    out = subprocess.run([CTL, DIR, "psql", "-At", "-f", "-"], input=sql, check=True, capture_output=True, text=True)
    return out.stdout.strip()


def operator_token(base):
    r = call(base, "POST", "/api/v1/auth/operator-token", {"operator_id": os.environ["OPERATOR_ID"], "api_key": os.environ["OPERATOR_KEY"]})
    assert r.status == 200, (r.status, r.body)
    return r.json["token"]


def new_tenant(op, tenant_id, **fields):
    """A tenant and one key, made through replica 1's admin API; returns (key id, plaintext key)."""
    r = call(REPLICAS[0], "POST", "/api/v1/admin/tenants", {"id": tenant_id, "name": tenant_id, **fields}, token=op)
    assert r.status == 201, (r.status, r.body)
    r = call(REPLICAS[0], "POST", f"/api/v1/admin/tenants/{tenant_id}/keys", {}, token=op)
    assert r.status == 201, (r.status, r.body)
    return r.json["key"]["id"], r.json["api_key"]


def token(base, tenant_id, key):
    r = call(base, "POST", "/api/v1/auth/token", {"tenant_id": tenant_id, "api_key": key})
    assert r.status == 200, (r.status, r.body)
    return r.json["token"]


def translate(base, tok, text=TEXT, timeout=30):
    return call(base, "POST", "/api/v1/translate", {"text": text}, token=tok, timeout=timeout)


class Load:
    """`threads` clients sending translate requests through nginx until stopped; every response is kept with its
    time, status, error code and request id."""

    def __init__(self, tok, threads=4, texts=None):
        self.tok, self.threads, self.texts = tok, threads, texts or [TEXT]
        self.results, self.lock, self.stop_flag = [], threading.Lock(), threading.Event()
        self.workers = [threading.Thread(target=self.run, args=(i,)) for i in range(threads)]

    def run(self, i):
        n = 0
        while not self.stop_flag.is_set():
            t0 = time.monotonic()
            r = translate(NGINX, self.tok, self.texts[(i + n) % len(self.texts)], timeout=40)
            with self.lock:
                self.results.append((t0, time.monotonic() - t0, r.status, r.code, r.headers.get("X-Request-Id")))
            n += 1

    def __enter__(self):
        for w in self.workers:
            w.start()
        return self

    def __exit__(self, *exc):
        self.stop_flag.set()
        for w in self.workers:
            w.join()

    def summary(self):
        counts = {}
        for _, _, status, code, _ in self.results:
            key = f"{status} {code}" if code else str(status)
            counts[key] = counts.get(key, 0) + 1
        return counts


def main():
    check(len(REPLICAS) >= 3, f"{len(REPLICAS)} replicas behind nginx")
    op = operator_token(REPLICAS[0])

    # 1. Created through replica 1, a token from replica 2, a translation through nginx.
    key_id, key = new_tenant(op, "org_cluster", limits=UNLIMITED)
    tok = token(REPLICAS[1], "org_cluster", key)
    r = translate(NGINX, tok)
    check(r.status == 200 and r.json["translated_text"], f"tenant made on replica 1, token from replica 2, translated through nginx: {r.json and r.json.get('translated_text')!r}")
    for base in REPLICAS:
        check(translate(base, tok).status == 200, f"the token works on {base}")

    # 2. A key revoked on replica 3: the next request on every replica is 401.
    r = call(REPLICAS[2], "POST", f"/api/v1/admin/keys/{key_id}/revoke", token=op)
    check(r.status == 200, "key revoked through replica 3")
    answers = [translate(base, tok) for base in REPLICAS + [NGINX]]
    check(all(a.status == 401 for a in answers), f"after the revocation every replica answers 401: {[(a.status, a.code) for a in answers]}")
    check(all(call(base, "POST", "/api/v1/auth/token", {"tenant_id": "org_cluster", "api_key": key}).status == 401 for base in REPLICAS),
          "and no replica issues a token for the revoked key")

    # 3. A tenant disabled on replica 3: the next request on every replica is refused.
    _, key2 = new_tenant(op, "org_disable", limits=UNLIMITED)
    tok2 = token(REPLICAS[1], "org_disable", key2)
    check(all(translate(base, tok2).status == 200 for base in REPLICAS), "a second tenant translates on every replica")
    r = call(REPLICAS[2], "PATCH", "/api/v1/admin/tenants/org_disable", {"enabled": False}, token=op)
    check(r.status == 200 and r.json["enabled"] is False, "tenant disabled through replica 3")
    answers = [translate(base, tok2) for base in REPLICAS + [NGINX]]
    check(all(a.status == 403 and a.code == "tenant_disabled" for a in answers),
          f"after disabling, every replica refuses its token (403 tenant_disabled): {[(a.status, a.code) for a in answers]}")
    check(all(call(base, "POST", "/api/v1/auth/token", {"tenant_id": "org_disable", "api_key": key2}).status == 403 for base in REPLICAS),
          "and no replica issues it a new token")

    # 4. A quota of 50 with 200 concurrent requests spread over the replicas: exactly 50 succeed.
    _, key3 = new_tenant(op, "org_quota", daily_requests=50, limits=UNLIMITED)
    tok3 = token(NGINX, "org_quota", key3)
    with futures.ThreadPoolExecutor(200) as pool:
        answers = list(pool.map(lambda i: translate(REPLICAS[i % len(REPLICAS)], tok3), range(200)))
    ok, refused = sum(a.status == 200 for a in answers), sum(a.status == 429 and a.code == "quota_exceeded" for a in answers)
    check(ok == 50 and refused == 150, f"quota 50, 200 concurrent requests over {len(REPLICAS)} replicas: {ok} × 200, {refused} × 429 quota_exceeded")

    # 5. A rate limit holds across replicas: 5 requests per second, burst 5, for the tenant as a whole.
    _, key4 = new_tenant(op, "org_rate", limits={**UNLIMITED, "requests_per_second": 5, "burst": 5})
    tok4 = token(NGINX, "org_rate", key4)
    start = time.monotonic()
    with futures.ThreadPoolExecutor(30) as pool:
        answers = list(pool.map(lambda i: translate(REPLICAS[i % len(REPLICAS)], tok4), range(30)))
    elapsed = time.monotonic() - start
    ok, limited = sum(a.status == 200 for a in answers), sum(a.status == 429 and a.code == "rate_limited" for a in answers)
    ceiling = 5 + int(5 * elapsed) + 1
    check(5 <= ok <= ceiling and ok + limited == 30,
          f"rate limit 5/s burst 5 over {len(REPLICAS)} replicas: {ok} × 200 (at most {ceiling} in {elapsed:.1f} s; {3 * ceiling} if each replica counted alone), {limited} × 429 rate_limited")

    # A steady-load tenant for the failure drills: no limits, texts that miss the cache now and then.
    _, key5 = new_tenant(op, "org_load", limits=UNLIMITED)
    tok5 = token(NGINX, "org_load", key5)
    texts = [TEXT, "我们明天去北京。", "这个问题很重要。", "他每天早上跑步。"]

    # 6. SIGKILL a replica under steady load through nginx: translate requests are retried on another one.
    with Load(tok5, threads=4, texts=texts) as load:
        time.sleep(3)
        killed_at = time.monotonic()
        ctl("kill-replica", "2")
        time.sleep(5)
    failed = [x for x in load.results if x[2] != 200]
    check(len(load.results) > 20 and len(failed) <= 4,
          f"replica 2 SIGKILLed under load: {len(load.results)} requests, {len(failed)} failed (allowed: at most the 4 in flight) {load.summary()}")
    ctl("start-replica", "2")
    check(translate(REPLICAS[1], tok5).status == 200, "replica 2 restarted and serving")

    # 7. PostgreSQL restarted under load: 503 store_unavailable during the outage, never a 500 or a hang;
    #    recovery without restarting a replica; every answered request has its audit line in the database.
    before = int(psql("SELECT count(*) FROM audit_events"))
    with Load(tok5, threads=4, texts=texts) as load:
        time.sleep(3)
        outage_start = time.monotonic()
        ctl("restart-postgres", "8")   # longer than the 5 s deadline of a store operation
        outage_end = time.monotonic()
        time.sleep(8)
    statuses = load.summary()
    slowest = max(x[1] for x in load.results)
    bad = [x for x in load.results if x[2] not in (200, 503) or (x[2] == 503 and x[3] != "store_unavailable")]
    during = [x for x in load.results if outage_start <= x[0] <= outage_end]
    after = [x for x in load.results if x[0] > outage_end + 3]
    check(not bad, f"PostgreSQL restarted under load: only 200 and 503 store_unavailable {statuses}; bad: {bad[:3]}")
    check(any(x[2] == 503 for x in during), f"the outage was seen ({sum(x[2] == 503 for x in during)} × 503 of {len(during)} during it)")
    check(slowest < 12, f"no request hung: the slowest took {slowest:.1f} s (the store's deadline is 5 s; a retried request may take two)")
    check(after and all(x[2] == 200 for x in after), f"recovered without a replica restart: {len(after)} requests after it, all 200")
    ids = [x[4] for x in load.results if x[4]]
    check(len(ids) == len(load.results), f"every answer carries its request id ({len(ids)})")
    id_list = ",".join("'" + i + "'" for i in ids)
    deadline, found = time.monotonic() + 30, 0
    while time.monotonic() < deadline:
        found = int(psql(f"SELECT count(DISTINCT event->>'request_id') FROM audit_events WHERE event->>'request_id' IN ({id_list})"))
        if found == len(ids):
            break
        time.sleep(1)
    spooled = sum(1 for f in os.listdir(DIR) if f.startswith("audit-spool-") and os.path.getsize(os.path.join(DIR, f)) > 0)
    check(found == len(ids), f"no audit line lost: {found} of {len(ids)} answered requests are in audit_events (spools still holding lines: {spooled})")
    after_count = int(psql("SELECT count(*) FROM audit_events"))
    check(after_count - before >= len(ids), f"audit_events grew by {after_count - before} lines")

    # The admin audit view reads every replica's events, from any replica.
    r = call(REPLICAS[2], "GET", "/api/v1/admin/audit?tenant=org_cluster&limit=1000", token=op)
    actions = [e.get("action") for e in (r.json or {}).get("events", [])]
    writers = psql("SELECT string_agg(DISTINCT replica, ',') FROM audit_events WHERE tenant_id = 'org_cluster' OR target_tenant = 'org_cluster'")
    check(r.status == 200 and "tenant.create" in actions and "key.revoke" in actions,
          f"replica 3's audit view of org_cluster shows its creation through replica 1 and its revocation through replica 3 "
          f"({len(actions)} events, written by {writers})")

    # 8. Redis (the counters) restarted: fail-closed replicas answer 503 quota_unavailable while it is down, a
    #    fail-open replica keeps serving; every replica serves again once it is back, quotas intact.
    ctl("stop-replica", "3")
    ctl("start-replica", "3", "fail-open")
    with Load(tok5, threads=2, texts=texts) as load:
        time.sleep(2)
        subprocess.run(["redis-cli", "-p", os.environ["REDIS_PORT"], "shutdown"], capture_output=True)
        time.sleep(1.5)
        closed = translate(REPLICAS[0], tok5)
        opened = translate(REPLICAS[2], tok5)
        ctl("restart-redis", "0")
        time.sleep(4)
    check(closed.status == 503 and closed.code == "quota_unavailable", f"Redis down: a fail-closed replica answers {closed.status} {closed.code}")
    check(opened.status == 200, f"Redis down: the fail-open replica answers {opened.status} {opened.code}")
    bad = [x for x in load.results if x[2] not in (200, 503)]
    check(not bad, f"Redis restarted under load: {load.summary()}")
    check(all(translate(base, tok5).status == 200 for base in REPLICAS), "every replica serves again after Redis is back")
    r = translate(NGINX, tok3)
    check(r.status == 429 and r.code == "quota_exceeded", f"the quota of 50 is still spent after the Redis restart (AOF): {r.status} {r.code}")

    # 9. nginx never exposes /metrics.
    r = call(NGINX, "GET", "/metrics")
    check(r.status == 404 and b"csanmt_" not in r.body, f"/metrics through nginx: {r.status}")
    print("cluster tests passed", flush=True)


if __name__ == "__main__":
    main()
