"""The benchmark's knobs (environment), sizes and paths, and its log.

Read once, at import, by bench/harness.py and the modules it runs: see its
docstring for what each environment variable does.
"""
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

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
