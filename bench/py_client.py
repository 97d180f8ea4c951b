"""python-swiftclient's Connection API on one workload, in a process of its own.

    /usr/bin/python3 bench/py_client.py <w1|w2|w4> '<json config>'

The same workloads and output as bench/ours.ts: one JSON line with the
measured phases (wall and CPU seconds of this process).  Concurrency uses
threads with one Connection each, as python-swiftclient's SwiftService does
(a Connection is not thread-safe).
"""
import json
import os
import resource
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from swiftclient.client import Connection

import procstat  # bench/procstat.py, next to this script

CHUNK = 1 << 20


def cpu_seconds():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def phase(name, fn):
    m0, c0, t0 = procstat.busy_seconds(), cpu_seconds(), time.perf_counter()
    extra = fn() or {}
    wall = time.perf_counter() - t0
    return dict(name=name, wall=wall, cpu=cpu_seconds() - c0, machineCpu=procstat.busy_seconds() - m0, **extra)


def object_name(prefix, i):
    return '%s-%05d' % (prefix, i)


def w1(conn, cfg):
    n = cfg.get('count', 300)
    conc = cfg.get('concurrency', 1)
    data = os.urandom(cfg.get('objectSize', 1024))
    cont = cfg['container']
    url, token = conn.url, conn.token
    local = threading.local()

    def connection():
        # one Connection per thread, sharing the token already obtained
        if conc == 1:
            return conn
        if not hasattr(local, 'conn'):
            local.conn = Connection(preauthurl=url, preauthtoken=token, retries=5)
        return local.conn

    def get(i):
        _, body = connection().get_object(cont, object_name(prefix[0], i))
        if len(body) != len(data):
            raise RuntimeError('GET: %d bytes' % len(body))

    ops = [
        ('PUT', lambda i: connection().put_object(cont, object_name(prefix[0], i), data)),
        ('GET', get),
        ('DELETE', lambda i: connection().delete_object(cont, object_name(prefix[0], i))),
    ]
    prefix = ['w1']
    phases = []
    with ThreadPoolExecutor(max_workers=conc) as executor:
        if cfg.get('warmup'):
            # steady state (W6): a full round on other objects first, not measured
            prefix[0] = 'warmup'
            for _, op in ops:
                list(executor.map(op, range(cfg['warmup'])))
            prefix[0] = 'w1'
        for name, op in ops:
            def run(op=op):
                if conc == 1:
                    for i in range(n):
                        op(i)
                else:
                    list(executor.map(op, range(n)))
                return dict(ops=n)
            phases.append(phase(name, run))
    return phases


def download(conn, cont, obj, chunk=CHUNK):
    _, body = conn.get_object(cont, obj, resp_chunk_size=chunk)
    total = 0
    for chunk in body:
        total += len(chunk)
    return total


def w2(conn, cfg):
    cont, size, path = cfg['container'], cfg['size'], cfg['file']

    def up():
        with open(path, 'rb') as f:
            conn.put_object(cont, 'w2', f, content_length=size, chunk_size=CHUNK)
        return dict(bytes=size)

    def down():
        got = download(conn, cont, 'w2', cfg.get('chunk', CHUNK))
        if got != size:
            raise RuntimeError('downloaded %d of %d bytes' % (got, size))
        return dict(bytes=got)

    return [phase('up', up), phase('down', down)]


def w4(conn, cfg):
    def listing():
        _, objects = conn.get_container(cfg['container'], full_listing=True)
        if 'objects' in cfg and len(objects) != cfg['objects']:
            raise RuntimeError('listed %d of %d objects' % (len(objects), cfg['objects']))
        return dict(ops=len(objects))

    return [phase('list', listing)]


def main():
    workload, cfg = sys.argv[1], json.loads(sys.argv[2])
    conn = Connection(authurl=cfg['authUrl'], user=cfg['user'], key=cfg['key'], retries=5)
    conn.url, conn.token = conn.get_auth()  # start-up and auth stay outside the phases
    phases = {'w1': w1, 'w2': w2, 'w4': w4}[workload](conn, cfg)
    conn.close()
    sys.stdout.write(json.dumps(dict(phases=phases)) + '\n')


if __name__ == '__main__':
    main()
