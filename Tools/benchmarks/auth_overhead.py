#!/usr/bin/env python3
"""Per-request overhead of the server's auth path (JWT verify + key/tenant/signing-key lookup + audit line).

Starts `csanmt serve` on a fresh tenant database, then sends interleaved keep-alive requests to an unauthenticated
route (GET /api/health) and an authenticated one that does no other work (GET /api/v1/whoami), and reports p50/p99
of each and their difference. Both go through the same middleware (request id, audit line, error mapping); the
difference is the auth path. Same server, same run.

usage: python3 Tools/benchmarks/auth_overhead.py [--binary .build/release/csanmt] [--model DIR] [-n 5000]
"""
import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--binary', default='.build/release/csanmt')
    ap.add_argument('--model', default=None, help='model folder (any; the measured routes do not translate)')
    ap.add_argument('-n', type=int, default=5000, help='requests per route')
    ap.add_argument('--port', type=int, default=18431)
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix='csanmt-authbench-')
    db = os.path.join(work, 'tenants.sqlite')
    subprocess.run([args.binary, 'tenant', 'create', '--db', db, '--id', 'bench_tenant', '--name', 'Bench'],
                   check=True, stdout=subprocess.DEVNULL)
    key = subprocess.run([args.binary, 'key', 'create', '--db', db, '--tenant', 'bench_tenant'], check=True,
                         capture_output=True, text=True).stdout.strip().splitlines()[-1]
    cmd = [args.binary, 'serve', '--db', db, '--port', str(args.port), '--audit-log', os.path.join(work, 'audit.log')]
    if args.model:
        cmd += ['--model', args.model]
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        conn = None
        for _ in range(300):
            try:
                conn = http.client.HTTPConnection('127.0.0.1', args.port, timeout=5)
                conn.request('GET', '/api/health')
                conn.getresponse().read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            sys.exit('server did not start: ' + (server.stderr.read() if server.poll() is not None else ''))
        conn.request('POST', '/api/v1/auth/token', json.dumps({'tenant_id': 'bench_tenant', 'api_key': key}),
                     {'Content-Type': 'application/json'})
        token = json.loads(conn.getresponse().read())['token']
        auth = {'Authorization': 'Bearer ' + token}

        def one(path, headers):
            t = time.perf_counter()
            conn.request('GET', path, headers=headers)
            r = conn.getresponse()
            r.read()
            assert r.status == 200, (path, r.status)
            return (time.perf_counter() - t) * 1000

        for _ in range(500):                       # warm-up
            one('/api/health', {}), one('/api/v1/whoami', auth)
        plain, authed = [], []
        for _ in range(args.n):                    # interleaved, so drift hits both equally
            plain.append(one('/api/health', {}))
            authed.append(one('/api/v1/whoami', auth))
        res = {
            'requests_per_route': args.n,
            'unauthenticated_ms': {'p50': pct(plain, 50), 'p99': pct(plain, 99), 'mean': statistics.mean(plain)},
            'authenticated_ms': {'p50': pct(authed, 50), 'p99': pct(authed, 99), 'mean': statistics.mean(authed)},
        }
        res['overhead_ms'] = {k: res['authenticated_ms'][k] - res['unauthenticated_ms'][k] for k in ('p50', 'p99', 'mean')}
        print(json.dumps(res, indent=2))
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == '__main__':
    main()
