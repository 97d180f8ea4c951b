"""Runs the benchmark workloads against the local Swift and reports.

Started by bench/run (which installs and starts what is needed):

    /usr/bin/python3 bench/harness.py

Every client run is a child process of this one; its CPU time (user + sys)
and peak RSS come from wait4(), exactly as the kernel accounted them, and
its wall time from a monotonic clock around it.  Library clients (ours,
bare undici, python-swiftclient) also report the wall and CPU time of each
measured phase from inside, which excludes interpreter start-up and auth.

Environment knobs:
  BENCH_RUNS      runs per workload and client (default 3)
  BENCH_ONLY      comma list of workloads to run, e.g. W1,W4,S (default all:
                  W1 W2 W3 W4, S start-up, W5 SLO download, W6 steady state)
  BENCH_QUICK=1   tiny sizes, for trying the harness (docs are not written)
  BENCH_PROFILE=1 also profile our client (node --cpu-prof) on W1, W2 and W4
                  (BENCH_ONLY=profile: the profiles alone)
  BENCH_DATA_DIR  scratch directory (default /dev/shm/swiftclient-bench)
  BENCH_KEEP_DATA=1  keep the generated files in BENCH_DATA_DIR
  ST_AUTH, ST_USER, ST_KEY   the Swift to use (default the local tempauth)
  BENCH_BASELINE  a git commit (or ref) of this repository: W2, W5 and W6 also run
                  our client as built from it ("before"), interleaved with
                  today's, for before/after ratios from one run
"""
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time

from swiftclient.client import ClientException, Connection

sys.dont_write_bytecode = True  # no __pycache__ in bench/
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import procstat  # noqa: E402  (bench/procstat.py)
import report  # noqa: E402  (bench/report.py)
import profile_summary  # noqa: E402  (bench/profile_summary.py)

MiB = 1 << 20
QUICK = os.environ.get('BENCH_QUICK') == '1'
RUNS = int(os.environ.get('BENCH_RUNS', '1' if QUICK else '3'))
ONLY = [w.strip().upper() for w in os.environ.get('BENCH_ONLY', '').split(',') if w.strip()]
DATA = os.environ.get('BENCH_DATA_DIR', '/dev/shm/swiftclient-bench')
AUTH_URL = os.environ.get('ST_AUTH', 'http://127.0.0.1:8080/auth/v1.0')
USER = os.environ.get('ST_USER', 'test:tester')
KEY = os.environ.get('ST_KEY', 'testing')
PROC_TIMEOUT = 900  # seconds; every child is killed after this

W1_COUNT = 30 if QUICK else 300
W1_SIZE = 1024
W2_SIZE = (16 if QUICK else 256) * MiB
W3_SIZE = (64 if QUICK else 512) * MiB
W3_SEGMENT = (16 if QUICK else 64) * MiB
W3_THREADS = 4
W4_OBJECTS = 2000 if QUICK else 20000
W2_SMALL_CHUNK = 64 * 1024
S_RUNS = max(RUNS, 5)  # start-up: short processes, more runs
S_OBJECTS = 10
W5_SIZE = (64 if QUICK else 1024) * MiB
W5_SEGMENTS = 16
W6_COUNT = 200 if QUICK else 2000
W6_WARMUP = 50 if QUICK else 500

NODE = shutil.which('node') or 'node'
PYTHON = '/usr/bin/python3'  # Debian's: the one that has swiftclient
OURS_JS = os.path.join(ROOT, '.bench/js/bench/ours.js')
UNDICI_JS = os.path.join(ROOT, '.bench/js/bench/undici-loop.js')
MEM_SERVER_JS = os.path.join(ROOT, '.bench/js/bench/mem-server.js')
# the built command-line client (npm run build); BENCH_CLI overrides
CLI_CANDIDATES = ('packages/cli/dist/main.js', 'packages/cli/dist/cli/main.js', 'dist/cli/main.js')
PY_CLIENT = os.path.join(HERE, 'py_client.py')
BASELINE = os.environ.get('BENCH_BASELINE', '')
BASELINE_DIR = os.path.join(ROOT, '.bench/baseline')
BASELINE_JS = os.path.join(BASELINE_DIR, '.bench/js/bench/ours.js')


def log(msg):
    sys.stderr.write(msg + '\n')
    sys.stderr.flush()


# ---------------------------------------------------------------- processes

def measure(argv, stdout=None, env=None):
    """Runs argv to completion; returns its wall time, CPU time and peak RSS.

    stdout: None to capture it, or a path to write it to ('/dev/null').
    CPU (user + sys, µs resolution) is wait4()'s for the child and what it
    waited for. Peak RSS comes from GNU time, which forks the command from a
    process of ~2 MiB: Linux carries the high-water RSS of the image a
    process replaces at exec into its maxrss, so a command started straight
    from this (much larger) Python process would report at least its size.
    """
    full_env = dict(os.environ, **(env or {}))
    err_path = os.path.join(DATA, 'stderr.txt')
    rss_path = os.path.join(DATA, 'maxrss.txt')
    out = open(stdout, 'wb') if stdout else subprocess.PIPE
    with open(err_path, 'wb') as err:
        m0 = procstat.busy_seconds()
        t0 = time.perf_counter()
        proc = subprocess.Popen(['/usr/bin/time', '-f', '%M', '-o', rss_path] + argv, stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL, env=full_env, cwd=ROOT, start_new_session=True)
        timer = threading.Timer(PROC_TIMEOUT, os.killpg, (proc.pid, signal.SIGKILL))
        timer.start()
        captured = b''
        if not stdout:
            captured = proc.stdout.read()
            proc.stdout.close()
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        machine = procstat.busy_seconds() - m0
        timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
    if stdout:
        out.close()
    if proc.returncode != 0:
        with open(err_path, 'rb') as f:
            tail = f.read()[-3000:].decode('utf-8', 'replace')
        raise RuntimeError('%s exited %s:\n%s' % (' '.join(argv[:6]), proc.returncode, tail))
    with open(rss_path) as f:
        rss_kib = int(f.read().split()[-1])
    return dict(pwall=wall, machine=machine, utime=ru.ru_utime, stime=ru.ru_stime, cpu=ru.ru_utime + ru.ru_stime,
                rss=rss_kib * 1024, stdout=captured.decode('utf-8', 'replace'))


def library_run(argv):
    """One process that reports its own phases (ours, undici, python)."""
    m = measure(argv)
    lines = [line for line in m['stdout'].splitlines() if line.startswith('{')]
    if not lines:
        raise RuntimeError('no JSON from %s: %r' % (argv[:3], m['stdout'][-500:]))
    result = json.loads(lines[-1])
    phases = result['phases']
    return dict(pwall=m['pwall'], cpu=m['cpu'], rss=m['rss'], impl=result.get('impl'),
                wall=sum(p['wall'] for p in phases), wcpu=sum(p['cpu'] for p in phases),
                phases={p['name']: dict(wall=p['wall'], cpu=p['cpu'], machine=p.get('machineCpu')) for p in phases})


def cli_run(steps):
    """A CLI client: one process per phase; [(phase, argv, stdout path, check)]."""
    run = dict(pwall=0.0, cpu=0.0, rss=0, wall=0.0, wcpu=None, phases={})
    for name, argv, stdout, check in steps:
        m = measure(argv, stdout=stdout)
        if check:
            check(m)
        run['pwall'] += m['pwall']
        run['wall'] += m['pwall']
        run['cpu'] += m['cpu']
        run['rss'] = max(run['rss'], m['rss'])
        run['phases'][name] = dict(wall=m['pwall'], cpu=m['cpu'], machine=m['machine'])
    return run


def cfg_json(auth_url=None, **extra):
    return json.dumps(dict(authUrl=auth_url or AUTH_URL, user=USER, key=KEY, **extra))


def file_md5(path):
    md5 = hashlib.md5()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(4 * MiB), b''):
            md5.update(block)
    return md5.hexdigest()


# ---------------------------------------------------------------- swift admin

class Admin:
    """Set-up and clean-up through python-swiftclient (never measured)."""

    def __init__(self):
        self.conn = Connection(authurl=AUTH_URL, user=USER, key=KEY, retries=5)
        self.url, self.token = self.conn.get_auth()

    def purge(self, container):
        """Deletes every object of the container and of its _segments twin."""
        for cont in (container, container + '_segments'):
            try:
                _, objects = self.conn.get_container(cont, full_listing=True)
            except ClientException as e:
                if e.http_status == 404:
                    continue
                raise
            names = [o['name'] for o in objects]
            for start in range(0, len(names), 10000):
                body = '\n'.join('/%s/%s' % (cont, n) for n in names[start:start + 10000])
                self.conn.post_account({'Accept': 'application/json', 'Content-Type': 'text/plain'},
                                       query_string='bulk-delete', data=body.encode())
            if cont.endswith('_segments'):
                self.conn.delete_container(cont)

    def fresh(self, container):
        self.purge(container)
        self.conn.put_container(container)

    def count(self, container):
        return int(self.conn.head_container(container)['x-container-object-count'])

    def object_url(self, container, obj=''):
        return '%s/%s/%s' % (self.url, container, obj)


# ---------------------------------------------------------------- data files

def random_file(path, size):
    if os.path.exists(path) and os.path.getsize(path) == size:
        return path
    log('generating %s (%d MiB)' % (path, size // MiB))
    with open(path + '.tmp', 'wb') as f:
        left = size
        while left:
            n = min(left, 4 * MiB)
            f.write(os.urandom(n))
            left -= n
    os.replace(path + '.tmp', path)
    return path


def small_files(dirname, count, size):
    os.makedirs(dirname, exist_ok=True)
    for i in range(count):
        path = os.path.join(dirname, 'w1-%05d' % i)
        if not os.path.exists(path):
            with open(path, 'wb') as f:
                f.write(os.urandom(size))
    return dirname


def rclone_env():
    return {
        'RCLONE_CONFIG': os.path.join(DATA, 'no-rclone.conf'),  # never created: config comes from env only
        'RCLONE_CONFIG_BENCH_TYPE': 'swift',
        'RCLONE_CONFIG_BENCH_AUTH': AUTH_URL,
        'RCLONE_CONFIG_BENCH_USER': USER,
        'RCLONE_CONFIG_BENCH_KEY': KEY,
        'RCLONE_CONFIG_BENCH_AUTH_VERSION': '1',
    }


def rclone(*args):
    return ['rclone', '-q'] + list(args)


def curl(*args):
    return ['curl', '-sS', '--max-time', str(PROC_TIMEOUT)] + list(args)


def expect_codes(code, count):
    def check(m):
        codes = m['stdout'].split()
        good = sum(1 for c in codes if c == code)
        if good != count:
            raise RuntimeError('curl: %d of %d answers were %s: %s' % (good, count, code, codes[:10]))
    return check


def curl_config(path, admin, container, method, count, upload=None):
    """A curl -K file: one request per object, all on kept-alive connections."""
    lines = ['header = "X-Auth-Token: %s"' % admin.token, 'write-out = "%{http_code}\\n"']
    if method == 'DELETE':
        lines.append('request = "DELETE"')
    for i in range(count):
        lines.append('url = "%s"' % admin.object_url(container, 'w1-%05d' % i))
        if upload:
            lines.append('upload-file = "%s"' % upload)
        lines.append('output = "/dev/null"')
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return path


# ---------------------------------------------------------------- workloads

class Bench:
    def __init__(self):
        self.admin = Admin()
        self.results = []  # dicts: workload, variant, client, runs
        os.environ.update(rclone_env())
        os.environ.update({'ST_AUTH': AUTH_URL, 'ST_USER': USER, 'ST_KEY': KEY})

    def series(self, workload, variant, clients, meta, runs=RUNS):
        """Runs every client `runs` times, rotating their order each round."""
        entries = []
        for name, _ in clients:
            entry = dict(workload=workload, variant=variant, client=name, runs=[], errors=[], **meta)
            entries.append(entry)
            self.results.append(entry)
        for r in range(runs):
            order = list(range(len(clients)))
            order = order[r % len(order):] + order[:r % len(order)]
            for k in order:
                name, fn = clients[k]
                log('%s %s: %s, run %d/%d' % (workload, variant, name, r + 1, runs))
                try:
                    run = fn()
                except Exception as e:  # reported with the results; the other clients still run
                    log('  FAILED: %s' % e)
                    entries[k]['errors'].append(str(e))
                    continue
                entries[k]['runs'].append(run)
                log('  wall %.2fs cpu %.2fs (process %.2fs, %.2fs) rss %d MiB' % (
                    run['wall'], run['wcpu'] if run['wcpu'] is not None else run['cpu'],
                    run['pwall'], run['cpu'], run['rss'] // MiB))

    # W1: small objects, PUT then GET then DELETE -------------------------
    def w1(self):
        src = small_files(os.path.join(DATA, 'w1-src'), W1_COUNT, W1_SIZE)
        one = os.path.join(src, 'w1-00000')
        dl = os.path.join(DATA, 'w1-dl')
        admin = self.admin
        for conc in (1, 8):
            def lib(client, argv_head, **extra):
                cont = 'bench-w1-%s' % client

                def fn():
                    admin.fresh(cont)
                    return library_run(argv_head + ['w1', cfg_json(container=cont, count=W1_COUNT, concurrency=conc,
                                                                   objectSize=W1_SIZE, **extra)])
                return (client, fn)

            def curl_fn():
                cont = 'bench-w1-curl'
                admin.fresh(cont)
                par = ['--parallel', '--parallel-max', str(conc)] if conc > 1 else []
                steps = []
                for phase, method, code, upload in (('PUT', 'PUT', '201', one), ('GET', 'GET', '200', None),
                                                    ('DELETE', 'DELETE', '204', None)):
                    cfg = curl_config(os.path.join(DATA, 'curl-%s.cfg' % phase), admin, cont, method, W1_COUNT, upload)
                    steps.append((phase, curl(*par, '-K', cfg), None, expect_codes(code, W1_COUNT)))
                return cli_run(steps)

            def rclone_fn():
                cont = 'bench-w1-rclone'
                admin.fresh(cont)
                shutil.rmtree(dl, ignore_errors=True)
                os.makedirs(dl)
                par = ['--transfers', str(conc), '--checkers', str(conc), '--swift-no-large-objects']

                def count_is(n):
                    def check(_):
                        if admin.count(cont) != n:
                            raise RuntimeError('rclone: container holds %d objects, expected %d' % (admin.count(cont), n))
                    return check

                def downloaded(_):
                    if len(os.listdir(dl)) != W1_COUNT:
                        raise RuntimeError('rclone: downloaded %d files' % len(os.listdir(dl)))

                return cli_run([
                    ('PUT', rclone('copy', src, 'bench:' + cont, *par), None, count_is(W1_COUNT)),
                    ('GET', rclone('copy', 'bench:' + cont, dl, *par), None, downloaded),
                    ('DELETE', rclone('delete', 'bench:' + cont, *par), None, count_is(0)),
                ])

            clients = [
                lib('ours', [NODE, OURS_JS], checksum=True),
                lib('ours-nock', [NODE, OURS_JS], checksum=False),
                lib('undici', [NODE, UNDICI_JS]),
                lib('python', [PYTHON, PY_CLIENT]),
                ('curl', curl_fn),
                ('rclone', rclone_fn),
            ]
            self.series('W1', 'c=%d' % conc, clients, dict(ops=3 * W1_COUNT, concurrency=conc))
        for client in ('ours', 'ours-nock', 'undici', 'python', 'curl', 'rclone'):
            admin.purge('bench-w1-%s' % client)
            admin.conn.delete_container('bench-w1-%s' % client)

    # W2: one large object streamed up and down --------------------------
    def w2(self):
        path = random_file(os.path.join(DATA, 'w2.bin'), W2_SIZE)
        admin = self.admin

        def lib(client, argv_head, **extra):
            cont = 'bench-w2-%s' % client

            def fn():
                admin.fresh(cont)
                return library_run(argv_head + ['w2', cfg_json(container=cont, file=path, size=W2_SIZE, **extra)])
            return (client, fn)

        def swift_cli():
            # python's `swift upload` / `swift download` hash what they send
            # and receive, as ours does with checksums on
            cont = 'bench-w2-swift-cli'
            admin.fresh(cont)
            return cli_run([
                ('up', ['swift', 'upload', '--object-name', 'w2', cont, path], '/dev/null', None),
                ('down', ['swift', 'download', cont, 'w2', '-o', '/dev/null'], '/dev/null', None),
            ])

        def curl_fn():
            cont = 'bench-w2-curl'
            admin.fresh(cont)
            url = admin.object_url(cont, 'w2')
            token = ['-H', 'X-Auth-Token: ' + admin.token, '-w', '%{http_code}\\n', '-o', '/dev/null']
            return cli_run([
                ('up', curl('-T', path, *token, url), None, expect_codes('201', 1)),
                ('down', curl(*token, url), None, expect_codes('200', 1)),
            ])

        def rclone_fn():
            cont = 'bench-w2-rclone'
            admin.fresh(cont)
            return cli_run([
                ('up', rclone('copyto', path, 'bench:%s/w2' % cont), None, None),
                ('down', rclone('cat', 'bench:%s/w2' % cont), '/dev/null', None),
            ])

        clients = [
            lib('ours', [NODE, OURS_JS], checksum=True),
            lib('ours-64k', [NODE, OURS_JS], checksum=True, chunk=W2_SMALL_CHUNK),
            lib('ours-nock', [NODE, OURS_JS], checksum=False),
            lib('ours-nock-64k', [NODE, OURS_JS], checksum=False, chunk=W2_SMALL_CHUNK),
            lib('python', [PYTHON, PY_CLIENT]),
            lib('python-64k', [PYTHON, PY_CLIENT], chunk=W2_SMALL_CHUNK),
            ('swift-cli', swift_cli),
            ('curl', curl_fn),
            ('rclone', rclone_fn),
        ]
        if BASELINE:
            clients[4:4] = [
                lib('before', [NODE, BASELINE_JS], checksum=True),
                lib('before-64k', [NODE, BASELINE_JS], checksum=True, chunk=W2_SMALL_CHUNK),
                lib('before-nock', [NODE, BASELINE_JS], checksum=False),
                lib('before-nock-64k', [NODE, BASELINE_JS], checksum=False, chunk=W2_SMALL_CHUNK),
            ]
        self.series('W2', '%d MiB' % (W2_SIZE // MiB), clients, dict(bytes=2 * W2_SIZE, size=W2_SIZE))
        for client, _ in clients:
            admin.purge('bench-w2-%s' % client)
            admin.conn.delete_container('bench-w2-%s' % client)

    # W3: a segmented (SLO) upload, then its download ---------------------
    def w3(self):
        path = random_file(os.path.join(DATA, 'w3.bin'), W3_SIZE)
        admin = self.admin

        def ours(client, checksum):
            cont = 'bench-w3-%s' % client

            def fn():
                admin.fresh(cont)
                return library_run([NODE, OURS_JS, 'w3', cfg_json(container=cont, file=path, size=W3_SIZE, checksum=checksum,
                                                                  segmentSize=W3_SEGMENT, segmentThreads=W3_THREADS)])
            return (client, fn)

        def swift_cli():
            cont = 'bench-w3-python'
            admin.fresh(cont)
            return cli_run([
                ('up', ['swift', 'upload', '--use-slo', '-S', str(W3_SEGMENT), '--segment-threads', str(W3_THREADS),
                        '--object-name', 'w3', cont, path], '/dev/null', None),
                ('down', ['swift', 'download', cont, 'w3', '-o', '-'], '/dev/null', None),
            ])

        def rclone_fn():
            cont = 'bench-w3-rclone'
            admin.fresh(cont)
            return cli_run([
                ('up', rclone('copyto', path, 'bench:%s/w3' % cont, '--swift-chunk-size', '%dM' % (W3_SEGMENT // MiB)), None, None),
                ('down', rclone('cat', 'bench:%s/w3' % cont), '/dev/null', None),
            ])

        clients = [ours('ours', True), ours('ours-nock', False), ('python', swift_cli), ('rclone', rclone_fn)]
        self.series('W3', '%d MiB SLO' % (W3_SIZE // MiB), clients, dict(bytes=2 * W3_SIZE, size=W3_SIZE))
        for client, _ in clients:
            admin.purge('bench-w3-%s' % client)
            admin.conn.delete_container('bench-w3-%s' % client)

    # W4: full listing of a large container --------------------------------
    def w4_container(self):
        """The W4 container, filled once and kept between runs of the bench."""
        cont = 'bench-w4-%dx1B' % W4_OBJECTS  # 1-byte objects: see w4Setup in bench/ours.ts
        log('W4: making sure %s holds %d objects' % (cont, W4_OBJECTS))
        measure([NODE, OURS_JS, 'w4-setup', cfg_json(container=cont, objects=W4_OBJECTS, concurrency=16)])
        return cont

    def w4(self):
        cont = self.w4_container()
        admin = self.admin
        out = os.path.join(DATA, 'w4-out.txt')

        def lib(client, argv_head):
            return (client, lambda: library_run(argv_head + ['w4', cfg_json(container=cont, objects=W4_OBJECTS)]))

        def lines_are(n, what):
            def check(_):
                with open(out) as f:
                    got = sum(1 for _ in f)
                if got != n:
                    raise RuntimeError('%s: %d lines, expected %d' % (what, got, n))
            return check

        def curl_fn():
            # the pages a paging client fetches (10,000 names each, then an
            # empty one), one curl process on one kept-alive connection
            limit = 10000
            markers = [''] + ['w4-%05d' % i for i in range(limit - 1, W4_OBJECTS, limit)]
            if W4_OBJECTS % limit:
                markers.append('w4-%05d' % (W4_OBJECTS - 1))
            args = ['-H', 'X-Auth-Token: ' + admin.token, '-w', '%{http_code}\\n']
            pages = []
            for k, marker in enumerate(markers):
                pages.append('%s.%d' % (out, k))
                args += ['%s?format=json&limit=%d&marker=%s' % (admin.object_url(cont), limit, marker), '-o', pages[-1]]
            run = cli_run([('list', curl(*args), None, expect_codes('200', len(markers)))])
            names = 0
            for page in pages:
                with open(page) as f:
                    names += len(json.load(f))
                os.unlink(page)
            if names != W4_OBJECTS:
                raise RuntimeError('curl listed %d objects' % names)
            return run

        def rclone_fn():
            return cli_run([('list', rclone('lsf', 'bench:' + cont), out, lines_are(W4_OBJECTS, 'rclone lsf'))])

        clients = [lib('ours', [NODE, OURS_JS]), lib('python', [PYTHON, PY_CLIENT]), ('rclone', rclone_fn), ('curl', curl_fn)]
        self.series('W4', '%d objects' % W4_OBJECTS, clients, dict(ops=W4_OBJECTS))

    # S: start-up, one short command from process start ----------------------
    def startup(self):
        cli = cli_path()
        admin = self.admin
        cont = 'bench-s'
        admin.fresh(cont)
        for i in range(S_OBJECTS):
            admin.conn.put_object(cont, 's-%05d' % i, os.urandom(1024))
        obj = 's-00000'
        url = admin.object_url(cont, obj)
        token = ['-H', 'X-Auth-Token: ' + admin.token, '-o', '/dev/null', '-w', '%{http_code}\\n']

        def commands(head, stat, listing, download):
            return lambda: cli_run([('stat', head + stat, '/dev/null', None), ('list', head + listing, '/dev/null', None),
                                    ('download', head + download, '/dev/null', None)])

        clients = [
            ('ours-cli', commands([NODE, cli], ['stat'], ['list', cont], ['download', cont, obj, '-o', '/dev/null'])),
            ('swift-cli', commands(['swift'], ['stat'], ['list', cont], ['download', cont, obj, '-o', '/dev/null'])),
            ('rclone', commands(rclone(), ['about', 'bench:'], ['lsf', 'bench:' + cont], ['cat', 'bench:%s/%s' % (cont, obj)])),
            ('curl', lambda: cli_run([
                ('stat', curl('-I', *token, admin.object_url('').rstrip('/')), None, expect_codes('204', 1)),
                ('list', curl(*token, admin.object_url(cont).rstrip('/')), None, expect_codes('200', 1)),
                ('download', curl(*token, url), None, expect_codes('200', 1)),
            ])),
            ('node', lambda: cli_run([('start', [NODE, '-e', '0'], '/dev/null', None)])),
        ]
        self.series('S', 'start-up', clients, dict(ops=3, cli=os.path.relpath(cli, ROOT)), runs=S_RUNS)
        admin.purge(cont)
        admin.conn.delete_container(cont)

    # W5: a 1 GiB SLO of 16 segments downloaded to a file ------------------
    def w5(self):
        path = random_file(os.path.join(DATA, 'w5.bin'), W5_SIZE)
        want = file_md5(path)
        admin = self.admin
        cont = 'bench-w5'
        admin.fresh(cont)
        log('W5: uploading the %d MiB SLO of %d segments (not measured)' % (W5_SIZE // MiB, W5_SEGMENTS))
        measure(['swift', 'upload', '--use-slo', '-S', str(W5_SIZE // W5_SEGMENTS), '--segment-threads', '8',
                 '--object-name', 'w5', cont, path], stdout='/dev/null')
        out = os.path.join(DATA, 'w5-out.bin')

        def verified(_=None):
            got = file_md5(out)
            os.unlink(out)
            if got != want:
                raise RuntimeError('W5: the downloaded file has MD5 %s, the source %s' % (got, want))

        def ours(client, checksum, js=OURS_JS):
            def fn():
                run = library_run([NODE, js, 'w5', cfg_json(container=cont, object='w5', outFile=out, size=W5_SIZE,
                                                                 checksum=checksum)])
                verified()
                return run
            return (client, fn)

        clients = [
            ours('ours', True),
        ] + ([ours('before', True, BASELINE_JS)] if BASELINE else []) + [
            ('python', lambda: cli_run([('download', ['swift', 'download', cont, 'w5', '-o', out], '/dev/null', verified)])),
            ('rclone', lambda: cli_run([('download', rclone('copyto', 'bench:%s/w5' % cont, out), None, verified)])),
        ]
        self.series('W5', '%d MiB SLO, %d segments' % (W5_SIZE // MiB, W5_SEGMENTS), clients, dict(bytes=W5_SIZE, size=W5_SIZE))
        admin.purge(cont)
        admin.conn.delete_container(cont)
        os.unlink(path)

    # W6: steady state, small objects against an in-memory server ----------
    def w6(self):
        server = subprocess.Popen([NODE, MEM_SERVER_JS], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, cwd=ROOT)
        try:
            line = server.stdout.readline().decode()
            if not line.startswith('port '):
                raise RuntimeError('mem-server: %r' % line)
            auth_url = 'http://127.0.0.1:%d/auth/v1.0' % int(line.split()[1])
            for conc in (1, 8):
                def lib(client, argv_head, **extra):
                    cfg = cfg_json(auth_url=auth_url, container='bench-w6', count=W6_COUNT, warmup=W6_WARMUP,
                                   concurrency=conc, objectSize=W1_SIZE, **extra)
                    return (client, lambda: library_run(argv_head + ['w1', cfg]))

                clients = [
                    lib('ours', [NODE, OURS_JS], checksum=True),
                    lib('ours-nock', [NODE, OURS_JS], checksum=False),
                    lib('undici', [NODE, UNDICI_JS]),
                    lib('python', [PYTHON, PY_CLIENT]),
                ]
                if BASELINE:
                    clients[2:2] = [lib('before', [NODE, BASELINE_JS], checksum=True),
                                    lib('before-nock', [NODE, BASELINE_JS], checksum=False)]
                self.series('W6', 'c=%d' % conc, clients, dict(ops=3 * W6_COUNT, concurrency=conc))
        finally:
            server.terminate()
            server.wait()

    # profile of our client ------------------------------------------------
    def profile(self):
        prof = os.path.join(ROOT, '.bench/prof')
        shutil.rmtree(prof, ignore_errors=True)
        summaries = []
        path = random_file(os.path.join(DATA, 'w2.bin'), W2_SIZE)
        w4 = self.w4_container()
        for label, workload, extra in (
                ('W1 c=1', 'w1', dict(count=W1_COUNT, concurrency=1, objectSize=W1_SIZE)),
                ('W1 c=8', 'w1', dict(count=W1_COUNT, concurrency=8, objectSize=W1_SIZE)),
                ('W2', 'w2', dict(file=path, size=W2_SIZE)),
                ('W4', 'w4', dict(container=w4, objects=W4_OBJECTS))):
            cont = extra.pop('container', 'bench-prof')
            if cont == 'bench-prof':
                self.admin.fresh(cont)
            out = os.path.join(prof, label.replace(' ', '').replace('=', ''))
            log('profiling ours on %s' % label)
            m = measure([NODE, '--cpu-prof', '--cpu-prof-interval', '100', '--cpu-prof-dir', out, OURS_JS, workload,
                         cfg_json(container=cont, **extra)])
            phases = json.loads(m['stdout'].splitlines()[-1])['phases']
            files = [os.path.join(out, f) for f in os.listdir(out) if f.endswith('.cpuprofile')]
            summaries.append((label, profile_summary.summarise(files[0], ROOT, [(p['startUs'], p['endUs']) for p in phases])))
        self.admin.purge('bench-prof')
        self.admin.conn.delete_container('bench-prof')
        return summaries


def cli_path():
    """The command-line client as built by npm run build (built here if missing)."""
    if os.environ.get('BENCH_CLI'):
        return os.path.abspath(os.environ['BENCH_CLI'])
    for _ in range(2):
        for rel in CLI_CANDIDATES:
            if os.path.exists(os.path.join(ROOT, rel)):
                return os.path.join(ROOT, rel)
        log('building the command-line client (npm run build)')
        subprocess.run(['npm', 'run', 'build'], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    raise SystemExit('bench: no command-line client among %s (set BENCH_CLI)' % ', '.join(CLI_CANDIDATES))


def build():
    log('compiling src/ and bench/ to .bench/js')
    tsc = os.path.join(ROOT, 'node_modules/.bin/tsc')
    proc = subprocess.run([tsc, '-p', os.path.join(HERE, 'tsconfig.json')], cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        log('tsc reported errors (the JavaScript was still emitted):\n' + proc.stdout[-4000:])
    if not os.path.exists(OURS_JS):
        raise SystemExit('bench: compiling failed')
    if BASELINE:
        # the baseline's src/ and bench/ from git, compiled the same way with our node_modules
        log('compiling the baseline %s to %s' % (BASELINE, os.path.relpath(BASELINE_DIR, ROOT)))
        shutil.rmtree(BASELINE_DIR, ignore_errors=True)
        os.makedirs(BASELINE_DIR)
        archive = subprocess.run(['git', 'archive', BASELINE, 'src', 'bench', 'tsconfig.json', 'package.json'],
                                 cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(['tar', '-x', '-C', BASELINE_DIR], input=archive, check=True)
        os.symlink(os.path.join(ROOT, 'node_modules'), os.path.join(BASELINE_DIR, 'node_modules'))
        subprocess.run([tsc, '-p', os.path.join(BASELINE_DIR, 'bench/tsconfig.json')], cwd=BASELINE_DIR, capture_output=True)
        if not os.path.exists(BASELINE_JS):
            raise SystemExit('bench: compiling the baseline failed')


def main():
    os.makedirs(DATA, exist_ok=True)
    build()
    bench = Bench()
    facts = report.machine_facts(ROOT)
    started = time.time()
    workloads = [('W1', bench.w1), ('W2', bench.w2), ('W3', bench.w3), ('W4', bench.w4), ('S', bench.startup),
                 ('W5', bench.w5), ('W6', bench.w6)]
    for name, fn in workloads:
        if not ONLY or name in ONLY:
            fn()
    profiles = bench.profile() if os.environ.get('BENCH_PROFILE') == '1' or 'PROFILE' in ONLY else []
    facts['duration'] = '%.0f s' % (time.time() - started)
    facts['load_end'] = report.loadavg()
    complete = not ONLY and not QUICK
    text = report.render_text(bench.results, RUNS)
    print(text)
    for label, summary in profiles:
        print('\nProfile of ours, %s (self time):\n%s' % (label, summary))
    dest = os.path.join(ROOT, 'docs') if complete else os.path.join(ROOT, '.bench')
    os.makedirs(dest, exist_ok=True)
    report.write_docs(bench.results, RUNS, facts, profiles, os.path.join(dest, 'PERFORMANCE.md'),
                      os.path.join(dest, 'performance.svg'))
    with open(os.path.join(ROOT, '.bench/results.json'), 'w') as f:
        json.dump(dict(facts=facts, runs=RUNS, results=bench.results, profiles=profiles), f, indent=1)
    log('wrote %s/PERFORMANCE.md and performance.svg, and .bench/results.json' % os.path.relpath(dest, ROOT))
    if os.environ.get('BENCH_KEEP_DATA') != '1':
        shutil.rmtree(DATA, ignore_errors=True)


if __name__ == '__main__':
    main()
