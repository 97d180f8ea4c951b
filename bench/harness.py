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

Modules: bench/knobs.py (these knobs, sizes, paths), bench/runner.py (running
and measuring a client, the Swift admin connection, data files, curl and
rclone command lines), bench/workloads.py (the workloads and the profile),
bench/report.py (tables, ratios, docs/PERFORMANCE.md and the chart).
"""
import json
import os
import shutil
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in bench/
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402  (bench/report.py)
from knobs import BASELINE, BASELINE_DIR, BASELINE_JS, DATA, HERE, ONLY, OURS_JS, QUICK, ROOT, RUNS, log  # noqa: E402
from workloads import Bench  # noqa: E402  (the workloads; bench/runner.py runs and measures the clients)


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
