#!/usr/bin/env python3
"""Per-request overhead of the server's auth path (JWT verify + key/tenant/signing-key lookup + audit line).

Starts `csanmt serve` on a fresh tenant database, then sends interleaved keep-alive requests to an unauthenticated
route (GET /api/health) and an authenticated one that does no other work (GET /api/v1/whoami), and reports p50/p99
of each and their difference. Both go through the same middleware (request id, audit line, error mapping); the
difference is the auth path. Same server, same run.

With `--stores sqlite,postgres` (the default) it measures a server on a SQLite file and then one on PostgreSQL (a
server of its own on loopback, started with Tools/cluster/services.sh), in the same run; with PostgreSQL the audit
events also go to the central table.

usage: python3 Tools/benchmarks/auth_overhead.py [--binary .build/release/csanmt] [--model DIR] [-n 5000]
                                                 [--stores sqlite,postgres]
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
    ap.add_argument('--stores', default='sqlite,postgres', help='comma-separated: sqlite, postgres')
    args = ap.parse_args()

    ap_stores = [x for x in args.stores.split(',') if x]
    results = {}
    for store in ap_stores:
        results[store] = measure(args, store)
    print(json.dumps(results, indent=2))


def measure(args, store):
    work = tempfile.mkdtemp(prefix='csanmt-authbench-')
    os.chmod(work, 0o755)
    env = dict(os.environ)
    pg = None
    if store == 'postgres':
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        password = os.urandom(12).hex()
        pg = os.path.join(work, 'pg')
        port = args.port + 90
        subprocess.run(['bash', '-c', f'. {root}/Tools/cluster/services.sh && pg_up {pg} {port} csanmt {password}'], check=True)
        db = f'postgres://csanmt@127.0.0.1:{port}/csanmt?sslmode=disable'
        env.update(CSANMT_DB_PASSWORD=password, CSANMT_MASTER_KEY=subprocess.run(
            [args.binary, 'db', 'new-master-key'], check=True, capture_output=True, text=True).stdout.strip())
    else:
        db = os.path.join(work, 'tenants.sqlite')
    subprocess.run([args.binary, 'tenant', 'create', '--db', db, '--id', 'bench_tenant', '--name', 'Bench',
                    '--audit-log', os.path.join(work, 'cli-audit.log')], check=True, stdout=subprocess.DEVNULL, env=env)
    key = subprocess.run([args.binary, 'key', 'create', '--db', db, '--tenant', 'bench_tenant',
                          '--audit-log', os.path.join(work, 'cli-audit.log')], check=True,
                         capture_output=True, text=True, env=env).stdout.strip().splitlines()[-1]
    cmd = [args.binary, 'serve', '--db', db, '--port', str(args.port), '--audit-log', os.path.join(work, 'audit.log'),
           '--metrics-port', '0']
    if args.model:
        cmd += ['--model', args.model]
    env['CSANMT_AUDIT_SPOOL'] = os.path.join(work, 'spool.jsonl')
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
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
            'store': db if store == 'sqlite' else 'postgres (loopback)',
            'requests_per_route': args.n,
            'unauthenticated_ms': {'p50': pct(plain, 50), 'p99': pct(plain, 99), 'mean': statistics.mean(plain)},
            'authenticated_ms': {'p50': pct(authed, 50), 'p99': pct(authed, 99), 'mean': statistics.mean(authed)},
        }
        res['overhead_ms'] = {k: res['authenticated_ms'][k] - res['unauthenticated_ms'][k] for k in ('p50', 'p99', 'mean')}
        return res
    finally:
        server.terminate()
        server.wait(timeout=30)
        if pg:
            root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
            subprocess.run(['bash', '-c', f'. {root}/Tools/cluster/services.sh && pg_down {pg}'], check=False)


if __name__ == '__main__':
    main()
