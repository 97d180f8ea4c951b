"""How the benchmark runs and measures clients, and what it sets up for them.

Every client run is a child process; measure() reads its CPU time and peak
RSS as the kernel accounted them (see bench/harness.py). Also here: the Swift
admin connection that makes and empties containers (never measured), the data
files, and the command lines of the CLI clients (curl, rclone).
"""
import hashlib
import json
import os
import signal
import subprocess
import threading
import time

from swiftclient.client import ClientException, Connection

import procstat  # bench/procstat.py
from knobs import AUTH_URL, DATA, KEY, MiB, PROC_TIMEOUT, ROOT, USER, log


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
