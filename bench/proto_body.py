"""Side-by-side measurements of body-path prototypes (bench/proto-body.ts)
against curl and python-swiftclient, for the design of the download and
upload path (docs/PERFORMANCE.md, "Where the client CPU goes, and the plan").

    eval "$(scripts/swift-aio env)"
    /usr/bin/python3 bench/proto_body.py [get|put|both] [runs]
    (PROTO_SIZE MiB, PROTO_CHUNK bytes, PROTO_ONLY=variant,..., PROTO_PROFILE=variant,...)

One object of PROTO_SIZE MiB (default 256) on /dev/shm, streamed by each
method in a process of its own, the methods interleaved in a rotating order,
`runs` rounds (default 3). Node and python-swiftclient library rows report
the transfer alone (in-process wall and CPU of all threads, after start-up
and auth); command-line rows (curl, the `swift` CLI) are whole processes,
start-up included, and the `swift stat` row gives the CLI's start-up and
auth alone. Prints a Markdown table of medians.
"""
import json
import os
import statistics
import sys

import harness  # bench/harness.py: build(); imported first, so no __pycache__ in bench/
import knobs  # bench/knobs.py: paths, log()
import runner  # bench/runner.py: measure(), random_file(), Admin, cfg_json()
import profile_summary

MiB = 1 << 20
SIZE = int(os.environ.get('PROTO_SIZE', '256')) * MiB
CONTAINER = 'bench-proto'
PROTO_JS = os.path.join(knobs.ROOT, '.bench/js/bench/proto-body.js')
PYTHON = knobs.PYTHON

GET_VARIANTS = [
    ('get-request', '(a) undici request() + for await'),
    ('get-request-md5', '(a) + MD5 per chunk'),
    ('get-request-no-body-timeout', '(a) with bodyTimeout 0 (no timer refresh per chunk)'),
    ('get-dispatch-batches', '(b0) undici dispatch(), network chunks in batches, no copy'),
    ('get-dispatch-batches-md5', '(c0) (b0) + MD5 on each network chunk'),
    ('get-dispatch', '(b) undici dispatch(), copied into fresh 1 MiB buffers'),
    ('get-dispatch-md5', '(c) (b) + MD5 on each network chunk'),
    ('get-dispatch-md5-buffers', '(c\') (b) + MD5 on each 1 MiB buffer'),
    ('get-dispatch-worker-transfer', '(d) (b) + MD5 in a worker, buffers transferred'),
    ('get-dispatch-worker-copy', '(d\') (b) + MD5 in a worker, buffers copied'),
    ('get-node-http', '(e) node:http'),
    ('get-node-http-md5', '(e) node:http + MD5'),
    ('get-socket-onread', '(f) net socket, onread into one 1 MiB buffer, minimal parser'),
    ('get-socket-onread-md5', '(f) + MD5 in place'),
    ('get-ours', 'ours today: getObject(respChunkSize 1 MiB), checksum on'),
    ('get-ours-nock', 'ours today, checksum off'),
]
PUT_VARIANTS = [
    ('put-request', 'undici request(), 1 MiB file reads, no MD5'),
    ('put-request-md5', 'undici request() + MD5 per 1 MiB read'),
    ('put-worker-copy', 'undici request() + MD5 in a worker, reads copied to it'),
    ('put-worker-file', 'undici request() + a worker hashing the file itself'),
    ('put-node-http-md5', 'node:http + MD5 per 1 MiB read'),
    ('put-ours', 'ours today: putObject(fileSource), checksum on'),
    ('put-ours-nock', 'ours today, checksum off'),
]

PY_GET = """
import json, sys, time, resource, hashlib
from swiftclient.client import Connection
cfg = json.loads(sys.argv[1])
conn = Connection(authurl=cfg['authUrl'], user=cfg['user'], key=cfg['key'])
conn.get_auth()
cpu = lambda: sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
c0, t0 = cpu(), time.perf_counter()
h, body = conn.get_object(cfg['container'], cfg['object'], resp_chunk_size=cfg['chunk'])
md5 = hashlib.md5() if cfg.get('md5') else None
n = 0
for chunk in body:
    n += len(chunk)
    if md5: md5.update(chunk)
wall, c = time.perf_counter() - t0, cpu() - c0
if md5 and md5.hexdigest() != h['etag'].strip('"'):
    raise SystemExit('MD5 mismatch')
print(json.dumps(dict(phases=[dict(name='get', wall=wall, cpu=c, bytes=n)])))
"""

PY_PUT = """
import json, sys, time, resource, hashlib
from swiftclient.client import Connection
cfg = json.loads(sys.argv[1])
conn = Connection(authurl=cfg['authUrl'], user=cfg['user'], key=cfg['key'])
conn.get_auth()
cpu = lambda: sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
c0, t0 = cpu(), time.perf_counter()
with open(cfg['file'], 'rb') as f:
    conn.put_object(cfg['container'], cfg['object'], f, content_length=cfg['size'], chunk_size=cfg['chunk'])
wall, c = time.perf_counter() - t0, cpu() - c0
print(json.dumps(dict(phases=[dict(name='put', wall=wall, cpu=c, bytes=cfg['size'])])))
"""


def inproc(argv):
    def fn():
        m = runner.measure(argv)
        line = [x for x in m['stdout'].splitlines() if x.startswith('{')][-1]
        p = json.loads(line)['phases'][0]
        return dict(wall=p['wall'], cpu=p['cpu'], rss=m['rss'], whole=m['cpu'])
    return fn


def proc(argv, stdout='/dev/null'):
    def fn():
        m = runner.measure(argv, stdout=stdout)
        return dict(wall=m['pwall'], cpu=m['cpu'], rss=m['rss'], whole=m['cpu'])
    return fn


def rows_for(kind, admin, path, chunk):
    cfg = lambda obj, **kw: runner.cfg_json(container=CONTAINER, object=obj, chunk=chunk, **kw)  # noqa: E731
    url = admin.object_url(CONTAINER, 'proto-get')
    tok = ['-H', 'X-Auth-Token: ' + admin.token, '-s', '-o', '/dev/null', '-w', '%{http_code}']
    if kind == 'get':
        rows = [(label, inproc([knobs.NODE, PROTO_JS, v, cfg('proto-get')])) for v, label in GET_VARIANTS]
        rows += [
            ('python-swiftclient get_object(resp_chunk_size=%d KiB)' % (chunk // 1024),
             inproc([PYTHON, '-c', PY_GET, cfg('proto-get')])),
            ('python-swiftclient get_object + hashlib MD5', inproc([PYTHON, '-c', PY_GET, cfg('proto-get', md5=True)])),
            ('curl (whole process)', proc(['curl'] + tok + [url])),
            ('python `swift download -o /dev/null` (whole process, MD5 checked)',
             proc(['swift', 'download', CONTAINER, 'proto-get', '-o', '/dev/null'])),
            ('python `swift stat` (whole process: start-up and auth only)', proc(['swift', 'stat'])),
        ]
        return rows
    rows = [(label, inproc([knobs.NODE, PROTO_JS, v, cfg('proto-put-' + v, file=path, size=SIZE)])) for v, label in PUT_VARIANTS]
    rows += [
        ('python-swiftclient put_object (no MD5)', inproc([PYTHON, '-c', PY_PUT, cfg('proto-put-py', file=path, size=SIZE)])),
        ('curl -T (whole process)', proc(['curl', '-T', path] + tok + [admin.object_url(CONTAINER, 'proto-put-curl')])),
        ('python `swift upload` (whole process, MD5 checked)',
         proc(['swift', 'upload', '--object-name', 'proto-put-swift', CONTAINER, path])),
        ('python `swift stat` (whole process: start-up and auth only)', proc(['swift', 'stat'])),
    ]
    return rows


def run(kind, runs, admin, path, chunk):
    rows = rows_for(kind, admin, path, chunk)
    samples = {label: [] for label, _ in rows}
    for r in range(runs):
        k = r % len(rows)
        for label, fn in rows[k:] + rows[:k]:
            knobs.log('%s run %d/%d: %s' % (kind, r + 1, runs, label))
            samples[label].append(fn())
    out = []
    for label, _ in rows:
        s = samples[label]
        wall = statistics.median(x['wall'] for x in s)
        out.append((label, SIZE / MiB / wall, statistics.median(x['cpu'] for x in s),
                    min(x['cpu'] for x in s), max(x['cpu'] for x in s), max(x['rss'] for x in s) / MiB))
    return out


def profile(variants, chunk):
    """node --cpu-prof of the given GET/PUT variants: where the main thread's time goes."""
    out = []
    prof = os.path.join(knobs.ROOT, '.bench/prof-proto')
    for v in variants:
        d = os.path.join(prof, v)
        if os.path.isdir(d):
            for f in os.listdir(d):
                os.unlink(os.path.join(d, f))
        extra = dict(file=os.path.join(knobs.DATA, 'proto.bin'), size=SIZE) if v.startswith('put') else {}
        obj = 'proto-put-prof' if v.startswith('put') else 'proto-get'
        m = runner.measure([knobs.NODE, '--cpu-prof', '--cpu-prof-interval', '100', '--cpu-prof-dir', d, PROTO_JS, v,
                             runner.cfg_json(container=CONTAINER, object=obj, chunk=chunk, **extra)])
        phases = json.loads(m['stdout'].splitlines()[-1])['phases']
        files = [os.path.join(d, f) for f in os.listdir(d) if f.endswith('.cpuprofile')]
        out.append((v, profile_summary.summarise(files[0], knobs.ROOT, [(p['startUs'], p['endUs']) for p in phases], top=8)))
    return out


def main():
    kind = sys.argv[1] if len(sys.argv) > 1 else 'both'
    only = os.environ.get('PROTO_ONLY')  # comma list of variants (labels of other rows: python, curl, swift)
    if only:
        keep = only.split(',')
        GET_VARIANTS[:] = [v for v in GET_VARIANTS if v[0] in keep]
        PUT_VARIANTS[:] = [v for v in PUT_VARIANTS if v[0] in keep]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    chunk = int(os.environ.get('PROTO_CHUNK', str(MiB)))
    os.makedirs(knobs.DATA, exist_ok=True)
    harness.build()
    admin = runner.Admin()
    admin.fresh(CONTAINER)
    path = runner.random_file(os.path.join(knobs.DATA, 'proto.bin'), SIZE)
    with open(path, 'rb') as f:
        admin.conn.put_object(CONTAINER, 'proto-get', f, content_length=SIZE)
    with open('/proc/loadavg') as f:
        load0 = ' '.join(f.read().split()[:3])
    tables = []
    for k in (('get', 'put') if kind == 'both' else (kind,)):
        tables.append((k, run(k, runs, admin, path, chunk)))
    profiles = profile(os.environ['PROTO_PROFILE'].split(','), chunk) if os.environ.get('PROTO_PROFILE') else []
    with open('/proc/loadavg') as f:
        load1 = ' '.join(f.read().split()[:3])
    print('%d MiB object, %d runs, medians; load average %s at the start, %s at the end.\n' % (SIZE // MiB, runs, load0, load1))
    for k, rows in tables:
        print('| %s of %d MiB | MB/s | client CPU s (min / median / max) | peak RSS MiB |' % (k.upper(), SIZE // MiB))
        print('|---|---|---|---|')
        for label, rate, cpu, lo, hi, rss in rows:
            print('| %s | %.0f | %.2f / **%.2f** / %.2f | %.0f |' % (label, rate * MiB / 1e6, lo, cpu, hi, rss))
        print()
    for v, summary in profiles:
        print('Profile of %s:\n```\n%s\n```\n' % (v, summary))
    admin.purge(CONTAINER)
    admin.conn.delete_container(CONTAINER)


if __name__ == '__main__':
    main()
