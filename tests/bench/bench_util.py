"""
NAME
    bench_util.py - small helpers shared by bench.py and bench_alone.py
"""
import re
import time


def log(msg):
    print("[bench %s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


def pct(values, p):
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


def rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (OSError, TypeError):
        pass
    return 0


def redis_pid(cluster):
    info = cluster.redis("INFO", "server")
    m = re.search(r"process_id:(\d+)", info)
    return int(m.group(1)) if m else None


def redis_used_memory(cluster):
    info = cluster.redis("INFO", "memory")
    m = re.search(r"used_memory:(\d+)", info)
    return int(m.group(1)) if m else 0
