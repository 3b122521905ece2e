"""
NAME
    bench_alone.py - the benchmarks of `make bench` that need no full stack

DESCRIPTION
    bench_classifier: bin/classify on N bench-style ideas against `wc -w`
    over the same text. bench_dashboard: a Redis loaded with N ideas by
    bin/bench-load --bulk, then p50/p99 of list and stats queries through
    the dashboard alone. Both put their figures into `out` (see bench.py).
"""
import json
import os
import subprocess
import tempfile
import time

from harness import Cluster, REPO
from bench_util import log, pct, redis_pid, redis_used_memory, rss_kib


def bench_classifier(bindir, n, out):
    src = [json.loads(l) for l in open(os.path.join(REPO, "tests/data/ideas/dev.jsonl"))
           if l.strip()]
    extra = ["graag", "snel", "ook", "echt", "zeker", "vooral", "misschien", "toch"]
    fd, path = tempfile.mkstemp(prefix="bench-classify-", suffix=".jsonl")
    with os.fdopen(fd, "w") as f:
        for i in range(n):
            d = src[i % len(src)]
            text = "%s %s %d" % (d["text"], extra[i % len(extra)], i)
            f.write(json.dumps({"id": "c%d" % i, "text": text}, ensure_ascii=False) + "\n")
    env = dict(os.environ, INSPRAAK_DATA=os.path.join(REPO, "data"))
    try:
        times = {}
        for name, cmd in (("classify", [os.path.join(bindir, "classify")]), ("wc", ["wc", "-w"])):
            with open(path, "rb") as f:
                t0 = time.time()
                r = subprocess.run(cmd, stdin=f, stdout=subprocess.DEVNULL, env=env, timeout=900)
                times[name] = time.time() - t0
                if r.returncode != 0:
                    raise RuntimeError("%s exited %d" % (name, r.returncode))
    finally:
        os.unlink(path)
    out["classifier"] = {"n": n, "rate": n / times["classify"], "wc_rate": n / times["wc"],
                         "ratio": times["wc"] / times["classify"]}
    log("classify %.0f ideas/s, wc -w %.0f ideas/s" % (n / times["classify"], n / times["wc"]))


def bench_public(c, conn, n, renders, visits):
    """The public page /resultaten on n ideas: the first visit (it counts
    the people once: every record read), a visit after each change (an
    audit entry, as a staff action writes: the page is rendered again) and
    a visit while nothing changed (the dashboard's kept copy,
    public_cache.c)."""
    def get():
        t = time.perf_counter()
        conn.request("GET", "/resultaten")
        resp = conn.getresponse()
        resp.read()
        return time.perf_counter() - t, resp.status != 200
    first, bad = get()
    changed, kept = [], []
    for i in range(renders):
        c.redis("LPUSH", "inspraak:audit", '{"action":"bench","n":%d}' % i)
        lat, err = get()
        changed.append(lat)
        bad += err
    for i in range(visits):
        lat, err = get()
        kept.append(lat)
        bad += err
    res = {"n": n, "first_ms": first * 1000, "errors": bad,
           "changed": {"p50_ms": pct(changed, 50) * 1000, "p99_ms": pct(changed, 99) * 1000,
                       "n": len(changed)},
           "kept": {"p50_ms": pct(kept, 50) * 1000, "p99_ms": pct(kept, 99) * 1000,
                    "n": len(kept)}}
    log("public page: first %.0f ms, after a change p50 %.1f ms, unchanged p50 %.2f ms" % (
        res["first_ms"], res["changed"]["p50_ms"], res["kept"]["p50_ms"]))
    return res


def bench_dashboard(bindir, n, queries, out):
    c = Cluster(("dashboard",))
    c.start()
    try:
        # Only the reads are measured here: the AOF stays off from the load
        # on (a read writes nothing to it), which keeps a million fsync'd
        # writes and an AOF rewrite out of the time budget.
        c.redis("CONFIG", "SET", "appendonly", "no")
        mem0 = redis_used_memory(c)
        t0 = time.time()
        # --bulk: the keys and values storage's write script would write
        # (tests/integration/test_bench_load.py compares the two key by
        # key), without a Lua call per idea: ~40 s instead of 300-500 s.
        r = subprocess.run([os.path.join(bindir, "bench-load"), "--bulk",
                            "redis://127.0.0.1:%d" % c.redis_port, str(n), "200"],
                           capture_output=True, text=True, timeout=900)
        if r.returncode != 0:
            raise RuntimeError("bench-load: " + r.stderr)
        load_s = time.time() - t0
        log("dashboard: %s" % r.stdout.strip())
        per_idea = (redis_used_memory(c) - mem0) / n
        token = c.staff_token("bench")
        import http.client as hc
        conn = hc.HTTPConnection("127.0.0.1", c.port("dashboard"), timeout=30)
        wijken = ["WK091733", "WK091721", "WK091712", "WK091740"]
        themes = ["groen", "wonen", "mobiliteit", "jeugd"]
        res = {}
        kinds = {
            "list wijk+theme": lambda i: "/api/v1/ideas?wijk=%s&theme=%s&limit=50" % (
                wijken[i % 4], themes[(i // 4) % 4]),
            "list wijk+theme, page 2": None,
            "list wijk+theme, oldest first": lambda i: (
                "/api/v1/ideas?wijk=%s&theme=%s&limit=50&sort=oud" % (
                    wijken[i % 4], themes[(i // 4) % 4])),
            "list theme+status": lambda i: "/api/v1/ideas?theme=%s&status=%s&limit=50" % (
                themes[i % 4], ["new", "approved", "hidden"][(i // 4) % 3]),
            "stats by wijk": lambda i: "/api/v1/stats?by=wijk",
            "stats by theme": lambda i: "/api/v1/stats?by=theme",
        }
        cursors = []
        for kind, fn in kinds.items():
            lat, bad = [], 0
            for i in range(queries):
                path = fn(i) if fn else (cursors[i % len(cursors)] if cursors else None)
                if path is None:
                    break
                t = time.perf_counter()
                conn.request("GET", path, headers={"Authorization": "Bearer " + token})
                resp = conn.getresponse()
                data = resp.read()
                lat.append(time.perf_counter() - t)
                bad += resp.status != 200
                if kind == "list wijk+theme" and resp.status == 200:
                    nc = json.loads(data).get("next_cursor")
                    if nc:
                        cursors.append(path + "&cursor=" + nc)
            res[kind] = {"p50_ms": pct(lat, 50) * 1000, "p99_ms": pct(lat, 99) * 1000,
                         "n": len(lat), "errors": bad}
            log("dashboard %s: p50 %.1f ms p99 %.1f ms" % (kind, res[kind]["p50_ms"],
                                                           res[kind]["p99_ms"]))
        # its own connection: the first visit reads every record once (about
        # 4 s at 100,000 ideas), longer than the queries' timeout at 1,000,000
        out["public"] = bench_public(
            c, hc.HTTPConnection("127.0.0.1", c.port("dashboard"), timeout=600), n, 10, queries)
        out["dashboard"] = {"n": n, "load_s": load_s, "bytes_per_idea": per_idea,
                            "queries": res, "rss_kib": rss_kib(c.pid_of("dashboard")),
                            "redis_rss_kib": rss_kib(redis_pid(c))}
    finally:
        c.stop()
        c.cleanup()
