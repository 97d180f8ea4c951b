"""The benchmark workloads (W1 to W6 and S start-up) and the profile of our
client: each runs every client in a rotating order and records its runs."""
import json
import os
import shutil
import subprocess

import profile_summary  # bench/profile_summary.py
from knobs import (AUTH_URL, BASELINE, BASELINE_JS, CLI_CANDIDATES, DATA, KEY, MEM_SERVER_JS, MiB, NODE, OURS_JS, PY_CLIENT,
                   PYTHON, ROOT, RUNS, S_OBJECTS, S_RUNS, UNDICI_JS, USER, W1_COUNT, W1_SIZE, W2_SIZE, W2_SMALL_CHUNK,
                   W3_SEGMENT, W3_SIZE, W3_THREADS, W4_OBJECTS, W5_SEGMENTS, W5_SIZE, W6_COUNT, W6_WARMUP, log)
from runner import (Admin, cfg_json, cli_run, curl, curl_config, expect_codes, file_md5, library_run, measure, random_file,
                    rclone, rclone_env, small_files)


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

        cli = cli_path()
        clients = [
            ours('ours', True),
        ] + ([ours('before', True, BASELINE_JS)] if BASELINE else []) + [
            # like for like with the other two: a command, start-up included
            ('ours-cli', lambda: cli_run([('download', [NODE, cli, 'download', cont, 'w5', '-o', out], '/dev/null', verified)])),
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
