"""What `import('swiftclient')` costs at start-up, and which modules dominate.

    npm run build && /usr/bin/python3 bench/import_cost.py [runs]

Runs `node --input-type=module -e "await import(X)"` for the built package
(dist/) and for parts of it, each in a fresh process, interleaved and
repeated (default 7 runs): CPU (user + sys, from wait4) and wall of the
whole process, median, and the same minus a bare `node -e 0`. The marginal
cost of a part is what lazy-loading it would save when it is not used.
Then the static import graph of dist/index.js: which of our modules each
public entry pulls in, and how many CommonJS files of each package end up
loaded (undici is CommonJS: its files are counted from require.cache).
Prints Markdown (used in docs/PERFORMANCE.md, "Start-up").
"""
import collections
import json
import os
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DIST = os.path.join(ROOT, 'dist')
NODE = 'node'

# (label, module specifier as seen from ROOT); '' = node alone
PARTS = [
    ('node alone (`node -e 0`)', ''),
    ("`import('undici')`", 'undici'),
    ("`import('swiftclient')` (dist/index.js)", 'swiftclient'),
    ('dist/connection.js (Connection, undici, tempauth)', './dist/connection.js'),
    ('dist/auth/keystone.js', './dist/auth/keystone.js'),
    ('dist/auth/session.js + plugins.js', ['./dist/auth/session.js', './dist/auth/plugins.js']),
    ('dist/service/index.js (SwiftService)', './dist/service/index.js'),
    ('dist/cli/program.js (the whole CLI, not run)', './dist/cli/program.js'),
    ("`import('commander')`", 'commander'),
    ("`import('p-limit')`", 'p-limit'),
    ("`import('yaml')`", 'yaml'),
    ("`import('cli-progress')`", 'cli-progress'),
]


def code_for(spec):
    specs = spec if isinstance(spec, list) else [spec]
    return ';'.join("await import('%s')" % s for s in specs if s) or '0'


def run_once(code):
    t0 = time.perf_counter()
    proc = subprocess.Popen([NODE, '--input-type=module', '-e', code], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = proc.stderr.read()
    _, status, ru = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit('node -e %r failed: %s' % (code, err.decode()[-500:]))
    return time.perf_counter() - t0, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024


def measure(runs):
    samples = collections.defaultdict(list)
    for r in range(runs + 1):  # the first round warms the page cache, not counted
        order = PARTS[r % len(PARTS):] + PARTS[:r % len(PARTS)]
        for label, spec in order:
            w, c, rss = run_once(code_for(spec))
            if r:
                samples[label].append((w, c, rss))
    out = []
    base = None
    for label, _ in PARTS:
        s = samples[label]
        wall, cpu, rss = (statistics.median(x[i] for x in s) for i in range(3))
        if base is None:
            base = (wall, cpu, rss)
        out.append((label, wall, cpu, rss, cpu - base[1], rss - base[2]))
    return out


IMPORT_RE = re.compile(r"""(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]""")


def static_graph(entry):
    """Our modules reachable from entry by static imports, and bare packages named."""
    seen, packages, todo = set(), set(), [os.path.normpath(entry)]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        with open(path) as f:
            text = f.read()
        for m in IMPORT_RE.finditer(text):
            spec = m.group(1) or m.group(2)
            if spec.startswith('.'):
                todo.append(os.path.normpath(os.path.join(os.path.dirname(path), spec)))
            elif not spec.startswith('node:'):
                packages.add(spec)
    return seen, packages


def cjs_loaded(spec):
    """CommonJS files loaded after importing spec, counted by package."""
    code = ("await import('%s');import {createRequire} from 'node:module';"
            "console.log(JSON.stringify(Object.keys(createRequire(import.meta.url).cache)))") % spec
    out = subprocess.run([NODE, '--input-type=module', '-e', code], cwd=ROOT, capture_output=True, text=True, check=True)
    files = json.loads(out.stdout.strip().splitlines()[-1])
    counts = collections.Counter()
    for f in files:
        m = re.search(r'node_modules/((?:@[^/]+/)?[^/]+)/', f)
        counts[m.group(1) if m else os.path.relpath(f, ROOT)] += 1
    return counts


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    if not os.path.exists(os.path.join(DIST, 'index.js')):
        raise SystemExit('no dist/: run npm run build first')
    with open('/proc/loadavg') as f:
        load0 = ' '.join(f.read().split()[:3])
    rows = measure(runs)
    with open('/proc/loadavg') as f:
        load1 = ' '.join(f.read().split()[:3])
    print('Import cost, %d runs each, interleaved; medians of whole `node` processes; load average %s at the start, %s at the end.\n'
          % (runs, load0, load1))
    print('| imported | wall s | CPU s | CPU s over node alone | peak RSS MiB | RSS over node alone |')
    print('|---|---|---|---|---|---|')
    for label, wall, cpu, rss, dcpu, drss in rows:
        print('| %s | %.3f | %.3f | %+.3f | %.0f | %+.0f |' % (label, wall, cpu, dcpu, rss, drss))
    index, packages = static_graph(os.path.join(DIST, 'index.js'))
    print('\nStatic import graph of dist/index.js: %d of our modules, packages %s.' % (len(index), ', '.join(sorted(packages))))
    for name in ('connection.js', 'auth/keystone.js', 'service/index.js', 'cli/program.js'):
        mods, pk = static_graph(os.path.join(DIST, name))
        print('- dist/%s pulls in %d of our modules (packages: %s)' % (name, len(mods), ', '.join(sorted(pk)) or 'none'))
    counts = cjs_loaded('swiftclient')
    print('- CommonJS files loaded by `import(\'swiftclient\')`: %s' % ', '.join('%s %d' % kv for kv in counts.most_common()))


if __name__ == '__main__':
    main()
