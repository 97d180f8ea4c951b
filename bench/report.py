"""Tables, targets, docs/PERFORMANCE.md and the SVG chart for bench/harness.py."""
import datetime
import json
import math
import os
import platform
import statistics
import subprocess
import sys

import procstat  # bench/procstat.py

MiB = 1 << 20

LABELS = {
    'ours': 'ours',
    'ours-64k': 'ours, 64 KiB chunks',
    'ours-nock': 'ours, checksum off',
    'ours-nock-64k': 'ours, checksum off, 64 KiB chunks',
    'ours-cli': 'ours (swiftclient CLI)',
    'before': 'before (BENCH_BASELINE)',
    'before-64k': 'before, 64 KiB chunks',
    'before-nock': 'before, checksum off',
    'before-nock-64k': 'before, checksum off, 64 KiB chunks',
    'python-64k': 'python-swiftclient, 64 KiB chunks',
    'swift-cli': 'python `swift` CLI',
    'node': 'node -e 0 (the runtime alone)',
    'undici': 'bare undici Pool',
    'python': 'python-swiftclient',
    'curl': 'curl',
    'rclone': 'rclone',
}
COLORS = {
    'ours-nock': '#7fb3d5',
    'ours-64k': '#2e86c1',
    'ours-nock-64k': '#a9cce3',
    'python-64k': '#f5cba7',
    'swift-cli': '#b9770e',
    'node': '#cccccc',
    'undici': '#76b041',
    'python': '#e8a33d',
    'curl': '#8e8e8e',
    'rclone': '#b0508e',
}


def label(entry):
    if entry['workload'] == 'W3':
        if entry['client'] == 'python':
            return 'python-swiftclient (swift CLI)'
        if entry['client'].startswith('ours') and entry['runs']:
            return '%s (%s)' % (LABELS[entry['client']], entry['runs'][0].get('impl'))
    return LABELS.get(entry['client'], entry['client'])


# ---------------------------------------------------------------- machine

def _cmd(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=30).stdout.strip()
    except OSError:
        return 'n/a'


def loadavg():
    with open('/proc/loadavg') as f:
        return ' '.join(f.read().split()[:3])


def machine_facts(root):
    cpu = 'unknown'
    with open('/proc/cpuinfo') as f:
        for line in f:
            if line.startswith('model name'):
                cpu = line.split(':', 1)[1].strip()
                break
    with open('/proc/meminfo') as f:
        mem_kib = int(f.readline().split()[1])
    try:
        import swift
        swift_version = swift.__version__
    except ImportError:
        swift_version = 'n/a'
    import swiftclient.version
    with open(os.path.join(root, 'node_modules/undici/package.json')) as f:
        undici = json.load(f)['version']
    with open(os.path.join(root, 'package.json')) as f:
        ours = json.load(f)['version']
    try:
        with open('/etc/debian_version') as f:
            debian = 'Debian ' + f.read().strip()
    except OSError:
        debian = platform.platform()
    head = _cmd(['git', '-C', root, 'rev-parse', '--short', 'HEAD'])
    dirty = ' (with uncommitted changes)' if _cmd(['git', '-C', root, 'status', '--porcelain', '--', 'src']) else ''
    return {
        'date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC'),
        'cpu': '%s, %d cores usable' % (cpu, len(os.sched_getaffinity(0))),
        'memory': '%.1f GiB' % (mem_kib / 1024 / 1024),
        'os': '%s, Linux %s' % (debian, platform.release()),
        'load_start': loadavg(),
        'swift': 'OpenStack Swift %s all-in-one on 127.0.0.1 (tempauth, 3 replicas, storage on tmpfs, same 2 cores)' % swift_version,
        'ours': 'swiftclient %s at %s%s, Node %s, undici %s' % (ours, head, dirty, _cmd(['node', '--version']), undici),
        'python': 'python-swiftclient %s, Python %s' % (swiftclient.version.version_string, sys.version.split()[0]),
        'rclone': _cmd(['rclone', 'version']).splitlines()[0] if _cmd(['rclone', 'version']) else 'n/a',
        'curl': ' '.join(_cmd(['curl', '--version']).split()[:2]),
    }


# ---------------------------------------------------------------- statistics

def med(values):
    return statistics.median(values)


def stats(entry):
    runs = entry['runs']
    s = {
        'wall_min': min(r['wall'] for r in runs),
        'wall': med([r['wall'] for r in runs]),
        'pwall': med([r['pwall'] for r in runs]),
        'cpu_min': min(r['cpu'] for r in runs),
        'cpu': med([r['cpu'] for r in runs]),
        'wcpu': med([r['wcpu'] for r in runs]) if runs[0]['wcpu'] is not None else None,
        'rss': max(r['rss'] for r in runs),
        'phases': {},
    }
    for name in runs[0]['phases']:
        machine = [r['phases'][name].get('machine') for r in runs]
        s['phases'][name] = {
            'wall': med([r['phases'][name]['wall'] for r in runs]),
            'cpu': med([r['phases'][name]['cpu'] for r in runs]),
            'machine': med(machine) if None not in machine else None,
        }
    return s


def rate(entry, wall):
    if entry['workload'] in ('W1', 'W6'):
        return '%.0f ops/s' % (entry['ops'] / wall)
    if entry['workload'] == 'S':
        return '—'
    if entry['workload'] == 'W4':
        return '%.0f k names/s' % (entry['ops'] / wall / 1000)
    return '%.0f MiB/s' % (entry['bytes'] / MiB / wall)


def groups(results):
    """[(workload, variant, [entries])] in run order, each with ours first."""
    out = []
    for e in results:
        if not out or (out[-1][0], out[-1][1]) != (e['workload'], e['variant']):
            out.append((e['workload'], e['variant'], []))
        out[-1][2].append(e)
    return out


def ours_of(entries):
    for name in ('ours', 'ours-cli'):
        for e in entries:
            if e['client'] == name and e['runs']:
                return e
    return None


def ratio(value, base):
    return value / base if base else float('nan')


# ---------------------------------------------------------------- tables

def main_table(results):
    head = ['workload', 'client', 'wall s, min / median', 'rate (median)', 'CPU s, min / median',
            'CPU s in workload', 'peak RSS MiB', 'wall ×ours', 'CPU ×ours']
    rows = []
    for workload, variant, entries in groups(results):
        base = ours_of(entries)
        bs = stats(base) if base else None
        for e in entries:
            name = label(e) + (' (%d runs failed)' % len(e['errors']) if e.get('errors') else '')
            if not e['runs']:
                rows.append(['%s %s' % (workload, variant), name, 'failed: %s' % e['errors'][0].splitlines()[0][:120]]
                            + [''] * (len(head) - 3))
                continue
            s = stats(e)
            rows.append([
                '%s %s' % (workload, variant), name,
                '%.2f / %.2f' % (s['wall_min'], s['wall']), rate(e, s['wall']),
                '%.2f / %.2f' % (s['cpu_min'], s['cpu']),
                '%.2f' % s['wcpu'] if s['wcpu'] is not None else '—',
                '%.0f' % (s['rss'] / MiB),
                '%.2f' % ratio(s['wall'], bs['wall']) if bs else '—',
                '%.2f' % ratio(s['cpu'], bs['cpu']) if bs else '—',
            ])
    return head, rows


def phase_table(results):
    head = ['workload', 'client', 'phase', 'wall s (median)', 'rate', 'CPU s (median)', 'CPU ms per op (S: per command)']
    rows = []
    for workload, variant, entries in groups(results):
        for e in entries:
            if not e['runs']:
                continue
            s = stats(e)
            for name, p in s['phases'].items():
                if workload in ('W1', 'W6'):
                    n = e['ops'] // 3
                    r, per_op = '%.0f ops/s' % (n / p['wall']), '%.3f' % (1000 * p['cpu'] / n)
                elif workload == 'S':
                    r, per_op = '—', '%.0f' % (1000 * p['cpu'])
                elif workload == 'W4':
                    r, per_op = '%.0f k names/s' % (e['ops'] / p['wall'] / 1000), ''
                else:
                    r, per_op = '%.0f MiB/s' % (e['size'] / MiB / p['wall']), ''
                rows.append(['%s %s' % (workload, variant), label(e), name, '%.3f' % p['wall'], r, '%.3f' % p['cpu'], per_op])
    return head, rows


def find(results, workload, client, variant=None):
    for e in results:
        if e['workload'] == workload and e['client'] == client and (variant is None or e['variant'] == variant) and e['runs']:
            return e
    return None


def targets(results):
    """[(target, measured, verdict)]: the targets of issue 8, then those of issue 16."""
    out = []
    for variant in ('c=1', 'c=8'):
        ours, py, und = (find(results, 'W1', c, variant) for c in ('ours', 'python', 'undici'))
        if not ours:
            continue
        o = stats(ours)
        n = ours['ops']
        for other, limit, name in ((py, 0.5, 'python-swiftclient'), (und, 1.5, 'bare undici')):
            if not other:
                continue
            s = stats(other)
            r = o['wcpu'] / s['wcpu']
            rp = o['cpu'] / s['cpu']
            floor = ''
            if other is py and und:
                # what the HTTP engine alone costs, next to python
                floor = '; the bare undici loop alone: %.2f×' % (stats(und)['wcpu'] / s['wcpu'])
            out.append(('W1 %s: client CPU per small op ≤ %.1f× %s' % (variant, limit, name),
                        '%.3f vs %.3f ms/op in the workload = %.2f× (whole process: %.2f×)%s' % (
                            1000 * o['wcpu'] / n, 1000 * s['wcpu'] / n, r, rp, floor),
                        'met' if r <= limit else 'missed'))
    curl = find(results, 'W2', 'curl')
    for client, note in (('ours', ''), ('ours-nock', ' (ours, checksum off: for reference)')):
        ours = find(results, 'W2', client)
        if not (ours and curl):
            continue
        o, c = stats(ours), stats(curl)
        size = ours['size'] / MiB
        for ph in ('up', 'down'):
            r = c['phases'][ph]['wall'] / o['phases'][ph]['wall']
            out.append(('W2 %s: throughput ≥ 90%% of curl%s' % (ph, note),
                        '%.0f vs %.0f MiB/s = %.0f%%' % (size / o['phases'][ph]['wall'], size / c['phases'][ph]['wall'], 100 * r)
                        + cpu_bound(o['phases'][ph], c['phases'][ph]),
                        'met' if r >= 0.9 else 'missed'))
    for w in ('W2', 'W3'):
        for client, note in (('ours', ''), ('ours-nock', ' (ours, checksum off: for reference)')):
            ours = find(results, w, client)
            if ours:
                rss = stats(ours)['rss'] / MiB
                out.append(('%s: our peak RSS < 128 MiB%s' % (w, note), '%.0f MiB' % rss, 'met' if rss < 128 else 'missed'))
    for w in ('W3', 'W4'):
        ours = find(results, w, 'ours')
        if not ours:
            continue
        o = stats(ours)
        for client in ('python', 'rclone'):
            other = find(results, w, client)
            if other:
                s = stats(other)
                out.append(('%s: faster than %s' % (w, label(other)),
                            '%.2f s vs %.2f s (%.2f× its wall time)' % (o['wall'], s['wall'], o['wall'] / s['wall']),
                            'met' if o['wall'] < s['wall'] else 'missed'))
    return out + targets_round_two(results)


def verdict(ok):
    return 'met' if ok else 'missed'


def phase_cpu(entry, name):
    return stats(entry)['phases'][name]['cpu']


def swift_cli_transfer_cpu(results, ph):
    """CPU of python's `swift upload`/`download` minus its start-up and auth
    (the median `swift stat` of the start-up workload, when it ran): the
    CPU of the transfer, to compare with our in-process phase."""
    cli = find(results, 'W2', 'swift-cli')
    if not cli:
        return None, ''
    whole = phase_cpu(cli, ph)
    stat = find(results, 'S', 'swift-cli')
    if not stat:
        return whole, 'python `swift %s` %.2f CPU-s whole process (start-up not subtracted: S did not run)' % (
            'upload' if ph == 'up' else 'download', whole)
    start = phase_cpu(stat, 'stat')
    return whole - start, 'python `swift %s` %.2f CPU-s whole process − %.2f of `swift stat` (start-up and auth) = %.2f' % (
        'upload' if ph == 'up' else 'download', whole, start, whole - start)


def targets_round_two(results):
    """The targets of issue 16 ("Performance, round two")."""
    out = []
    curl = find(results, 'W2', 'curl')
    # W2 GET, checksum on: throughput and CPU against the swift CLI's (both hash)
    py_down, py_note = swift_cli_transfer_cpu(results, 'down')
    for client, chunk in (('ours-64k', '64 KiB'), ('ours', '1 MiB')):
        ours = find(results, 'W2', client)
        if not ours:
            continue
        o = stats(ours)['phases']['down']
        size = ours['size'] / MiB
        if curl:
            c = stats(curl)['phases']['down']
            r = c['wall'] / o['wall']
            out.append(('W2 GET, checksum on, %s chunks: throughput ≥ 0.9× curl' % chunk,
                        '%.0f vs %.0f MiB/s = %.2f×' % (size / o['wall'], size / c['wall'], r), verdict(r >= 0.9)))
        if py_down:
            r = o['cpu'] / py_down
            out.append(('W2 GET, checksum on, %s chunks: client CPU ≤ 1.2× python `swift download`' % chunk,
                        'ours %.2f CPU-s (download phase) vs %s: %.2f×' % (o['cpu'], py_note, r),
                        verdict(r <= 1.2) if find(results, 'S', 'swift-cli') else 'not judged'))
    # W2 GET, checksum off: against python-swiftclient's get_object, same chunk size
    for client, pyc, chunk in (('ours-nock-64k', 'python-64k', '64 KiB'), ('ours-nock', 'python', '1 MiB')):
        ours, py = find(results, 'W2', client), find(results, 'W2', pyc)
        if ours and py:
            a, b = phase_cpu(ours, 'down'), phase_cpu(py, 'down')
            out.append(('W2 GET, checksum off, %s chunks: client CPU ≤ 2× python-swiftclient `get_object`' % chunk,
                        '%.2f vs %.2f CPU-s (download phase) = %.2f×' % (a, b, a / b), verdict(a / b <= 2)))
    # W2 PUT, checksum on
    py_up, py_note = swift_cli_transfer_cpu(results, 'up')
    ours = find(results, 'W2', 'ours')
    if ours and py_up:
        a = phase_cpu(ours, 'up')
        out.append(('W2 PUT, checksum on: client CPU ≤ 1.2× python `swift upload`',
                    'ours %.2f CPU-s (upload phase) vs %s: %.2f×' % (a, py_note, a / py_up),
                    verdict(a / py_up <= 1.2) if find(results, 'S', 'swift-cli') else 'not judged'))
    # start-up
    ours, rc, py = (find(results, 'S', c) for c in ('ours-cli', 'rclone', 'swift-cli'))
    if ours:
        a = phase_cpu(ours, 'stat')
        if rc:
            b = phase_cpu(rc, 'stat')
            out.append(('Start-up: `swiftclient stat` client CPU ≤ rclone `about`',
                        '%.3f vs %.3f CPU-s (whole processes) = %.2f×' % (a, b, a / b), verdict(a <= b)))
        if py:
            b = phase_cpu(py, 'stat')
            out.append(('Start-up: `swiftclient stat` client CPU ≤ 0.3× python `swift stat`',
                        '%.3f vs %.3f CPU-s (whole processes) = %.2f×' % (a, b, a / b), verdict(a / b <= 0.3)))
    # SLO download to a file, verified: whole-process wall of every client,
    # for the library (SwiftService) and for the command
    for mine, what in (('ours', 'SwiftService'), ('ours-cli', 'the swiftclient CLI')):
        ours = find(results, 'W5', mine)
        if not ours:
            continue
        o = stats(ours)
        for client, limit in (('python', 0.75), ('rclone', 1.0)):
            other = find(results, 'W5', client)
            if other:
                s = stats(other)
                r = o['pwall'] / s['pwall']
                name = 'python `swift download`' if client == 'python' else 'rclone `copyto`'
                out.append(('W5 SLO download, verified (%s): wall ≤ %.2f× %s' % (what, limit, name),
                            '%.2f vs %.2f s (whole processes, start-up included) = %.2f×' % (o['pwall'], s['pwall'], r),
                            verdict(r <= limit)))
        rss = o['rss'] / MiB
        out.append(('W5 SLO download (%s): our peak RSS < 128 MiB' % what, '%.0f MiB' % rss, verdict(rss < 128)))
    # steady state, small objects, in-memory server
    for variant in ('c=1', 'c=8'):
        ours, py, und = (find(results, 'W6', c, variant) for c in ('ours', 'python', 'undici'))
        if not ours:
            continue
        n = ours['ops']
        o = stats(ours)['wcpu']
        for other, limit, name in ((py, 0.4, 'python-swiftclient'), (und, 1.3, 'bare undici')):
            if other:
                b = stats(other)['wcpu']
                out.append(('W6 %s steady state: client CPU per op ≤ %.1f× %s' % (variant, limit, name),
                            '%.3f vs %.3f CPU-ms/op = %.2f×' % (1000 * o / n, 1000 * b / n, o / b), verdict(o / b <= limit)))
    return out


def cpu_bound(ours, curl):
    """How close both runs came to the machine's CPU limit: server and client
    share the cores, so wall time ≥ busy CPU seconds of the whole machine ÷
    cores; a run at that floor gets faster only by spending less CPU."""
    if not ours.get('machine') or not curl.get('machine'):
        return ''
    cores = procstat.cpus()
    return ('; whole machine busy %.2f vs %.2f CPU-s (Swift, the client and anything else running; %d CPUs): '
            'wall floor %.2f vs %.2f s, measured %.2f vs %.2f s' % (ours['machine'], curl['machine'], cores, ours['machine'] / cores,
                                          curl['machine'] / cores, ours['wall'], curl['wall']))


def fmt_text(head, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    line = lambda r: '  '.join(str(x).ljust(w) for x, w in zip(r, widths))  # noqa: E731
    return '\n'.join([line(head), line(['-' * w for w in widths])] + [line(r) for r in rows])


def fmt_md(head, rows):
    out = ['| ' + ' | '.join(head) + ' |', '|' + '|'.join('---' for _ in head) + '|']
    out += ['| ' + ' | '.join(str(x) for x in r) + ' |' for r in rows]
    return '\n'.join(out)


def render_text(results, runs):
    parts = ['Results (%d runs each; ratios are median / median of ours, lower is better)' % runs, '']
    parts.append(fmt_text(*main_table(results)))
    parts += ['', 'Per phase (medians):', fmt_text(*phase_table(results)), '', 'Targets:']
    for target, measured, verdict in targets(results):
        parts.append('  [%s] %s: %s' % (verdict.upper(), target, measured))
    return '\n'.join(parts)


# ---------------------------------------------------------------- chart

def svg_chart(results):
    """Two panels (client CPU, wall time), one group of bars per workload:
    each client's median as a ratio to ours, on a log scale around 1×."""
    data = []
    for workload, variant, entries in groups(results):
        base = ours_of(entries)
        if not base:
            continue
        bs = stats(base)
        bars = []
        for e in entries:
            if e['client'] == 'ours' or not e['runs']:
                continue
            s = stats(e)
            bars.append((e['client'], label(e), ratio(s['cpu'], bs['cpu']), ratio(s['wall'], bs['wall'])))
        data.append(('%s %s' % (workload, variant), bars))
    values = [v for _, bars in data for b in bars for v in b[2:] if v > 0]
    span = max(1, math.ceil(max(abs(math.log2(v)) for v in values))) if values else 2
    span = min(span, 7)
    bar_h, gap, top, left, panel_w, pad = 13, 14, 64, 112, 340, 40
    height = top + sum(len(bars) * bar_h + gap for _, bars in data) + 40
    width = left + 2 * panel_w + pad + 20
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="11">' % (width, height),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="8" y="18" font-size="14" font-weight="bold">swiftclient benchmark: each client relative to ours (1× = ours; right of the line = more than ours)</text>']
    legend_x = 8
    for client in ('ours-nock', 'undici', 'python', 'curl', 'rclone'):
        out.append('<rect x="%d" y="28" width="10" height="10" fill="%s"/>' % (legend_x, COLORS[client]))
        out.append('<text x="%d" y="37">%s</text>' % (legend_x + 14, LABELS[client]))
        legend_x += 24 + 6.2 * len(LABELS[client])
    for p, (title, idx) in enumerate((('client CPU (user+sys, whole process)', 2), ('wall time', 3))):
        x0 = left + p * (panel_w + pad)
        scale = lambda v: x0 + panel_w / 2 + (panel_w / 2) * max(-span, min(span, math.log2(v))) / span  # noqa: E731
        out.append('<text x="%d" y="58" font-weight="bold">%s</text>' % (x0, title))
        for k in range(-span, span + 1):
            x = scale(2 ** k)
            out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s"/>' % (
                x, top - 2, x, height - 34, '#333' if k == 0 else '#e4e4e4'))
            tick = '%g×' % (2 ** k) if k >= 0 else '1/%d' % (2 ** -k)
            out.append('<text x="%.1f" y="%d" text-anchor="middle" fill="#555">%s</text>' % (x, height - 20, tick))
        y = top
        for name, bars in data:
            if p == 0:
                out.append('<text x="8" y="%d" font-weight="bold">%s</text>' % (y + len(bars) * bar_h / 2 + 4, name))
            for client, lab, *vals in bars:
                v = vals[idx - 2]
                x1, x2 = scale(1), scale(v)
                out.append('<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"><title>%s: %.2f×</title></rect>' % (
                    min(x1, x2), y + 1, max(abs(x2 - x1), 1), bar_h - 2, COLORS.get(client, '#999'), lab, v))
                anchor, tx = ('start', x2 + 3) if v >= 1 else ('end', x2 - 3)
                out.append('<text x="%.1f" y="%d" text-anchor="%s" font-size="9">%.2f</text>' % (tx, y + bar_h - 3, anchor, v))
                y += bar_h
            y += gap
    out.append('</svg>')
    return '\n'.join(out)


# ---------------------------------------------------------------- docs

METHOD = """\
## What is measured

Every client run is a process of its own, started by `bench/harness.py`; its
**CPU** (user + system seconds, all threads) and **peak RSS** come from the
kernel through `wait4()`, so start-up is included. **Wall** is the
workload's own time: library clients (ours, bare undici, python-swiftclient's
`Connection`) time their phases from inside, after start-up and auth, and
also report the CPU of those phases ("CPU s in workload"); for command-line
clients (curl, rclone, the `swift` CLI) wall is the lifetime of their
processes (one per phase). Ratios compare medians with ours (checksums on,
the default); lower is better. The clients run interleaved, in a rotating
order, against the same Swift on the same machine. The server shares the 2
cores with the client, so wall times are mostly the server's; CPU and RSS
are the client's alone.

| workload | ours | python-swiftclient 4.1 | rclone | curl |
|---|---|---|---|---|
| W1: 300 × 1 KiB PUT, then GET, then DELETE, at concurrency 1 and 8 | one `Connection`, a pool of 1 or 8 promise workers; `getObject` to a Buffer | `Connection` per thread (1 or 8 threads), sharing one token | `copy` up, `copy` down (to tmpfs), `delete`; `--transfers`/`--checkers` 1 or 8, `--swift-no-large-objects` (saves a HEAD per PUT) | one process per phase, `-K` list of 300 requests on kept-alive connections (`--parallel-max 8` at c=8) |
| W2: one 256 MiB object up and down, streamed | `putObject(fileSource(file))`, `getObject` with `respChunkSize` 1 MiB | `put_object(open file, content_length)`, `get_object(resp_chunk_size=1 MiB)` | `copyto`, `cat` to /dev/null | `-T file`, GET to /dev/null |
| W3: 512 MiB as a static large object, 64 MiB segments, 4 in flight, then downloaded | `SwiftService.upload` (src/service; `segmentSize` 64 MiB, `segmentThreads` 4, `useSlo`), `SwiftService.download` with `noDownload` (read and checked, written nowhere); without src/service, 8 `putObject`s of file ranges, 4 at a time, the `multipart-manifest=put` manifest and a streamed `getObject` (the table says which ran) | the `swift` CLI: `upload --use-slo -S 67108864 --segment-threads 4`, `download -o -` | `copyto --swift-chunk-size 64M` (rclone 1.60 writes a dynamic large object, one segment at a time), `cat` | — |
| W4: full listing of a 20,000-object container (1-byte objects, made once and kept) | `getContainer(fullListing)` | `get_container(full_listing=True)` | `lsf` (pages of 1,000) | the 3 pages (limit 10,000) in one process |
| S: start-up: `stat` (account HEAD), `list` of a 10-object container, `download` of one 1 KiB object to /dev/null, each a process from start (5 runs or more) | the built CLI (`npm run build`): `swiftclient stat`, `list`, `download -o /dev/null` | the `swift` CLI: `stat`, `list`, `download -o /dev/null` | `about`, `lsf`, `cat` | `-I` account, GET container, GET object, with a token got beforehand (no auth); `node -e 0` is the runtime's own start |
| W5: a 1 GiB SLO of 16 segments (uploaded once, not measured) downloaded to a file on /dev/shm; the harness checks the file's MD5 after each run | `SwiftService.download(..., { outFile })`, and the built CLI's `swiftclient download -o FILE` (a process from start, as python's and rclone's) | `swift download -o FILE` | `copyto` (4 streams over 250 MiB) | — |
| W6: steady state: 2,000 × 1 KiB PUT, GET, DELETE after a 500-object warm-up round, at concurrency 1 and 8, against an in-memory HTTP server (`bench/mem-server.ts`, a process of its own) so only the client's CPU counts | as W1 | as W1 | — | — |

The bare undici variant of W1 is the floor for our per-request CPU: a plain
`undici.Pool` issuing the same requests with no retry loop, checks or MD5.
W1's 900 requests per process include Node's warm-up, as any short-lived
program's would: the first few hundred requests cost about twice the steady
state (JIT compilation, and V8's optimising compile of undici's llhttp WASM
parser, ~0.1 s of CPU on a background thread, which is also most of W4's
CPU). Peak RSS of every Node client starts at ~97 MiB for the same reason
(~62 MiB with `node --liftoff-only`).
Data comes from files on /dev/shm (random bytes), never from memory.

W4's objects hold one byte, not zero: rclone 1.60 sends a HEAD for every
0-byte object it lists (a dynamic large object's manifest lists as 0
bytes), even with `--swift-no-large-objects`, so over empty objects its
"listing" is 20,000 HEADs (2,000 empty objects took it 6 to 45 s here, where
the others took 0.05 s).

Python-swiftclient's `Connection` verifies no MD5 on `put_object` or
`get_object`; ours does by default, so "ours, checksum off"
(`checksum: false`) is the like-for-like row for W1 and W2. W2 also runs
python's `swift upload` / `swift download -o /dev/null` of the same file,
which hash what they send and receive as ours does with checksums on: the
targets compare our transfer phase's CPU with theirs minus the start-up
and auth of a `swift stat` (workload S). W2 with "64 KiB chunks" asks for
`respChunkSize` 65,536 (python: `resp_chunk_size`). In W3 the
`swift` CLI and our SwiftService both check each segment's MD5 on upload and
neither can check a large object's download; rclone checks the MD5 of what
it uploads.
"""


HAND_WRITTEN = '<!-- Hand-written from here on: bench/report.py keeps it when it rewrites the file. -->'


def hand_written(path):
    """The hand-written tail of docs/PERFORMANCE.md (design notes), kept across runs."""
    docs = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'docs', 'PERFORMANCE.md')
    for candidate in (path, docs):
        try:
            with open(candidate) as f:
                text = f.read()
        except OSError:
            continue
        at = text.find(HAND_WRITTEN)
        if at >= 0:
            return '\n' + text[at:].rstrip() + '\n'
    return ''


def write_docs(results, runs, facts, profiles, md_path, svg_path):
    kept = hand_written(md_path)
    with open(svg_path, 'w') as f:
        f.write(svg_chart(results))
    facts_rows = [
        ('date', facts['date']), ('machine', '%s, %s RAM, %s' % (facts['cpu'], facts['memory'], facts['os'])),
        ('load average', 'start %s, end %s (shared machine)' % (facts['load_start'], facts.get('load_end', '?'))),
        ('server', facts['swift']), ('ours', facts['ours']), ('python', facts['python']),
        ('rclone', facts['rclone']), ('curl', facts['curl']),
        ('runs', '%d per workload and client (`BENCH_RUNS`), %s in all' % (runs, facts.get('duration', '?'))),
    ]
    parts = ['# Performance', '',
             'Produced by `npm run bench` (`bench/run`): installs what it needs, starts the local Swift, '
             'runs every workload for every client and rewrites this file and `performance.svg`. '
             'Numbers from a noisy shared 2-core machine: read the ratios, not the absolute times.', '',
             fmt_md(['', ''], facts_rows), '', '![client CPU and wall time relative to ours](performance.svg)', '',
             '## Results', '',
             'Medians of %d runs (min shown too); "×ours" is the median divided by ours (checksums on).' % runs, '',
             fmt_md(*main_table(results)), '', '## Targets', '',
             fmt_md(['target', 'measured', ''], targets(results)), '', '## Per phase', '',
             fmt_md(*phase_table(results)), '', METHOD]
    if profiles:
        parts += ['## Where our CPU goes', '',
                  '`node --cpu-prof --cpu-prof-interval 100` on our W1, W2 and W4 runs (`BENCH_PROFILE=1`), '
                  'summarised by `bench/profile_summary.py`: samples of the main thread inside the measured '
                  'phases. CPU on V8\'s background threads (optimising compilers, concurrent GC) is not sampled.', '']
        for name, summary in profiles:
            parts += ['### %s' % name, '', '```', summary, '```', '']
    with open(md_path, 'w') as f:
        f.write('\n'.join(parts).rstrip() + '\n' + kept)
