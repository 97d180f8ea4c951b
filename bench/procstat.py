"""The whole machine's CPU from /proc/stat, shared by the bench's Python parts."""
import os


def busy_seconds():
    """Busy CPU seconds of every CPU since boot (user, nice, system, irq,
    softirq): the Swift servers' CPU and the client's together. 0.0 where
    there is no /proc/stat."""
    try:
        with open('/proc/stat') as f:
            v = [int(x) for x in f.readline().split()[1:8]]
    except OSError:
        return 0.0
    return (v[0] + v[1] + v[2] + v[5] + v[6]) / os.sysconf('SC_CLK_TCK')


def cpus():
    """CPUs that the busy total covers (the machine's, not this process's affinity)."""
    with open('/proc/stat') as f:
        return sum(1 for line in f if line.startswith('cpu') and line[3:4].isdigit()) or 1
