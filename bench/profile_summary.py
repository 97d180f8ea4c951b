"""Summarises a V8 .cpuprofile (node --cpu-prof): where the CPU time went.

    /usr/bin/python3 bench/profile_summary.py FILE.cpuprofile [repo root]

Given time windows (the measured phases, on the same monotonic clock in
µs), only samples inside them count: start-up and auth are left out.
"""
import json
import os
import sys
from collections import defaultdict

SPECIAL = ('(idle)', '(garbage collector)', '(program)', '(root)')


def category(frame):
    url = frame.get('url', '')
    name = frame.get('functionName', '')
    if not url:
        return name if name in SPECIAL else '(native)'
    if '/.bench/js/src/' in url:
        return 'swiftclient (src/)'
    if '/node_modules/undici/' in url:
        return 'undici'
    if url.startswith('node:'):
        return 'node internals'
    if '/.bench/js/bench/' in url:
        return 'bench script'
    return 'other'


def where(frame, root):
    url = frame.get('url', '')
    if url.startswith('file://'):
        url = url[len('file://'):]
    if url.startswith(root):
        url = os.path.relpath(url, root).replace('.bench/js/', '')
    url = url.replace('node_modules/', '')
    return '%s:%d' % (url, frame.get('lineNumber', 0) + 1) if url else ''


def summarise(path, root, windows=None, top=12):
    with open(path) as f:
        prof = json.load(f)
    samples, deltas, t = [], [], prof['startTime']
    for sample, delta in zip(prof['samples'], prof['timeDeltas']):
        t += delta
        if windows is None or any(start <= t <= end for start, end in windows):
            samples.append(sample)
            deltas.append(delta)
    nodes = {n['id']: n for n in prof['nodes']}
    parent = {}
    for n in prof['nodes']:
        for c in n.get('children', ()):
            parent[c] = n['id']
    self_us = defaultdict(float)
    for sample, delta in zip(samples, deltas):
        self_us[sample] += delta
    total = sum(self_us.values()) or 1.0
    idle = sum(t for i, t in self_us.items() if nodes[i]['callFrame']['functionName'] == '(idle)')
    busy = total - idle or 1.0

    by_cat = defaultdict(float)
    by_fn = defaultdict(float)
    ours_inclusive = defaultdict(float)  # time under each of our functions (self + callees)
    for i, t in self_us.items():
        frame = nodes[i]['callFrame']
        cat = category(frame)
        if cat == '(idle)':
            continue
        by_cat[cat] += t
        by_fn[(frame['functionName'] or '(anonymous)', where(frame, root), cat)] += t
        seen = set()
        j = i
        while j is not None:
            f = nodes[j]['callFrame']
            key = (f['functionName'] or '(anonymous)', where(f, root))
            if category(f) == 'swiftclient (src/)' and key not in seen:
                seen.add(key)
                ours_inclusive[key] += t
            j = parent.get(j)

    lines = ['busy %.0f ms of %.0f ms sampled (the rest idle, waiting for the server)' % (busy / 1e3, total / 1e3),
             'by origin: ' + ', '.join('%s %.0f%%' % (c, 100 * t / busy) for c, t in sorted(by_cat.items(), key=lambda x: -x[1]))]
    lines.append('top functions by self time (% of busy):')
    for (name, loc, cat), t in sorted(by_fn.items(), key=lambda x: -x[1])[:top]:
        lines.append(('  %5.1f%%  %s  %s' % (100 * t / busy, name, loc)).rstrip())
    lines.append('our functions by inclusive time, synchronous part (% of busy):')
    for (name, loc), t in sorted(ours_inclusive.items(), key=lambda x: -x[1])[:8]:
        lines.append('  %5.1f%%  %s  %s' % (100 * t / busy, name, loc))
    return '\n'.join(lines)


if __name__ == '__main__':
    print(summarise(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else os.getcwd()))
