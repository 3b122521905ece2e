"""
NAME
    bench.py - the benchmarks behind `make bench` (tests/bench/run.sh)

SYNOPSIS
    python3 tests/bench/bench.py [--quick] [--out docs/benchmarks.md] [--only NAME,...]

DESCRIPTION
    Starts real stacks with tests/lib/harness.py (Redis with AOF and
    appendfsync always, supervisor, services from $INSPRAAK_BIN) on the
    bench's own port range 22000-25999, runs every benchmark, compares each
    with its baseline in the same run, and writes a Markdown report:

      intake      wrk POSTs of distinct ideas (post_idea.lua) to
                  /api/v1/ideas vs bin/bench-baseline (bare libmicrohttpd,
                  measured first, alone); then the intake alone (pipeline
                  paused with SIGSTOP) and the pipeline alone (working off
                  that backlog), with CPU microseconds per idea of each
      drain       N ideas through form -> spool -> classifier -> storage ->
                  Redis: last accepted to last stored, stored vs accepted rate
      latency     accepted -> visible in GET /api/v1/ideas/{id}, p50/p99, at
                  10% and 50% of the intake's maximal rate (open loop:
                  bin/bench-post sends at the rate after a 1 s warm-up and
                  polls 300 sampled ideas, each on its own)
      field       ideas/s in 1,000-item MessagePack batches
      classifier  bin/classify ideas/s vs `wc -w` on the same text
      dashboard   p50/p99 of a two-filter list and of stats with many ideas
                  (bin/bench-load --bulk: storage's keys and values, AOF off)
      memory      Redis bytes per idea, RSS of every service under load
      redis       redis-benchmark SET/ZADD on the same Redis (fsync always)

    --quick: 3 s per run and 10,000 ideas, for development.
    Nothing here is a test: it measures and reports, it does not fail on a
    slow figure (only when the stack cannot start or a tool is missing).

ENVIRONMENT
    INSPRAAK_BIN   binaries [bin] (make bench builds the optimised ones there)
"""
import argparse
import datetime
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import harness  # noqa: E402
from harness import Cluster, REPO, http  # noqa: E402
from mpack import pack as msgpack  # noqa: E402
from bench_alone import bench_classifier, bench_dashboard  # noqa: E402
from bench_util import log, pct, redis_pid, redis_used_memory, rss_kib  # noqa: E402,F401
from bench_report import report  # noqa: E402

# The bench's own loopback range (harness picks BASE with BASE-1690 and
# BASE..BASE+30 inside it); the baseline server uses the low end.
harness.PORT_LOW, harness.PORT_HIGH = 22000, 25999
BASELINE_PORTS = range(22000, 22600)
WRK_ARGS = ["-t2", "-c32"]
# A second intake row with many more residents at once (both servers):
# the durable intake answers a whole fsync group per wake-up, so its
# rate depends on the connection count; the bare server's hardly does.
WRK_CONNS_MANY = 128
SERVICES = ("storage", "classifier", "intake-form", "intake-field", "dashboard")


def free_port(candidates):
    for p in candidates:
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", p))
            return p
        except OSError:
            continue
        finally:
            s.close()
    raise RuntimeError("no free port for the baseline")


def machine():
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": model, "kernel": platform.release(),
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


# --- wrk ------------------------------------------------------------------

def wrk(url, seconds, tag, limit=0, conns=None):
    env = dict(os.environ, BENCH_TAG=tag, BENCH_LIMIT=str(limit))
    args = ["wrk"] + (["-t2", "-c%d" % conns] if conns else WRK_ARGS) + [
        "-d%ds" % seconds, "--timeout", "10s", "-s", os.path.join(HERE, "post_idea.lua"), url]
    t0 = time.time()
    out = subprocess.run(args, env=env, capture_output=True, text=True,
                         timeout=seconds + 120).stdout
    t1 = time.time()
    res = {"rps": 0.0, "requests": 0, "non2xx": 0, "sockerr": 0, "t0": t0, "t1": t1, "raw": out}
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    res["rps"] = float(m.group(1)) if m else 0.0
    m = re.search(r"(\d+) requests in", out)
    res["requests"] = int(m.group(1)) if m else 0
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    res["non2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    res["sockerr"] = sum(int(x) for x in m.groups()) if m else 0
    m = re.search(r"Latency\s+([\d.]+\w+)\s+([\d.]+\w+)\s+([\d.]+\w+)", out)
    res["latency"] = m.group(1) if m else "?"
    return res


# --- helpers on a cluster --------------------------------------------------

def metric(cluster, service, name):
    _, _, body = http("GET", cluster.url(service, "/metrics"))
    for line in body.decode().splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.split()[-1])
    return 0.0


def zcard(cluster):
    return int(cluster.redis("ZCARD", "inspraak:ideas") or 0)


class RssSampler(threading.Thread):
    """Highest VmRSS of every service (and Redis) while running."""

    def __init__(self, cluster, names):
        super().__init__(daemon=True)
        self.cluster, self.names = cluster, names
        self.peak = {n: 0 for n in names + ("redis",)}
        self.stop_ev = threading.Event()

    def run(self):
        rpid = redis_pid(self.cluster)
        while not self.stop_ev.is_set():
            for n in self.names:
                self.peak[n] = max(self.peak[n], rss_kib(self.cluster.pid_of(n)))
            self.peak["redis"] = max(self.peak["redis"], rss_kib(rpid))
            self.stop_ev.wait(0.25)


def wait_stored(cluster, target, timeout):
    """Polls ZCARD until it reaches target; returns (time it did, count)."""
    deadline = time.time() + timeout
    n = zcard(cluster)
    while n < target and time.time() < deadline:
        time.sleep(0.02)
        n = zcard(cluster)
    return time.time(), n


# --- benchmarks -----------------------------------------------------------

def cpu_s(pid):
    """User + system CPU seconds a process has used so far (0 if gone)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            x = f.read().rsplit(")", 1)[1].split()
        return (int(x[11]) + int(x[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, TypeError, ValueError, IndexError):
        return 0.0


def pipeline_procs(cluster):
    """{name: pid} of what works behind the spool: classifiers and storage."""
    names = [cluster.proc_name("classifier", i) for i in range(cluster.n_instances("classifier"))]
    return {n: cluster.pid_of(n) for n in names + ["storage"]}


def signal_pipeline(cluster, sig):
    for pid in pipeline_procs(cluster).values():
        if pid:
            os.kill(pid, sig)


def cpu_per_idea(pids, before, n):
    """{name: microseconds of CPU per idea} since `before` ({name: seconds})."""
    return {k: (cpu_s(p) - before[k]) * 1e6 / max(1, n) for k, p in pids.items()}


def s_serve_and_measure(argv, url, secs, tag, runs, warm=False):
    """Starts a server (argv; it prints one line when it listens), runs wrk
    against url once per (key, connections) in runs, adds the server's CPU
    per request to each result, stops it. {key: wrk result}."""
    got = {}
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    try:
        p.stdout.readline()
        if warm:
            wrk(url, 1, "warm")
        for key, conns in runs:
            c0 = cpu_s(p.pid)
            got[key] = wrk(url, secs, tag, conns=conns)
            got[key]["cpu_us"] = (cpu_s(p.pid) - c0) * 1e6 / max(1, got[key]["requests"])
    finally:
        p.terminate()
        p.wait()
    return got


def bench_baseline(bindir, secs, out):
    """The bare libmicrohttpd server (bin/bench-baseline: reads the body,
    answers 201), epoll pool of nproc threads and thread per connection,
    measured first, while nothing else runs."""
    port = free_port(BASELINE_PORTS)
    url = "http://127.0.0.1:%d/api/v1/ideas" % port
    base = {}
    # One server per threading mode; the pool serves both connection counts.
    for threads, runs in ((str(os.cpu_count()), (("pool", None), ("pool_many", WRK_CONNS_MANY))),
                          ("0", (("tpc", None),))):
        base.update(s_serve_and_measure([os.path.join(bindir, "bench-baseline"), str(port),
                                         threads], url, secs, "base", runs))
    out["baseline"] = base
    log("baseline %.0f req/s (%.1f us CPU a request), thread per connection %.0f req/s" % (
        base["pool"]["rps"], base["pool"]["cpu_us"], base["tpc"]["rps"]))
    bench_floor(bindir, port, url, secs, out)


def bench_floor(bindir, port, url, secs, out):
    """The durable floor (bin/bench-durable, pool mode: reads the body,
    group-commits it with fdatasync, then answers; nothing parsed, checked
    or sent on): what any intake that fsyncs before answering can reach
    here. At nice 0 as the bare server, and at the intakes' nice level
    (as deployed, harness.INTAKE_NICE)."""
    floor = {}
    for nice, runs in ((0, (("pool", None), ("pool_many", WRK_CONNS_MANY))),
                       (harness.INTAKE_NICE, (("pool_nice", None),))):
        d = tempfile.mkdtemp(prefix="bench-durable-")
        try:
            floor.update(s_serve_and_measure(
                ["nice", "-n", str(nice), os.path.join(bindir, "bench-durable"), str(port),
                 "pool", str(os.cpu_count()), d], url, secs, "floor", runs, warm=True))
        finally:
            shutil.rmtree(d, ignore_errors=True)
    floor["nice"] = harness.INTAKE_NICE
    out["floor"] = floor
    log("durable floor %.0f req/s (%.1f us CPU a request), at nice %d %.0f req/s" % (
        floor["pool"]["rps"], floor["pool"]["cpu_us"], floor["nice"], floor["pool_nice"]["rps"]))


def bench_intake(cluster, secs, out):
    """The intake row, then its two halves on the same stack: the intake
    with the pipeline paused (SIGSTOP of classifiers and storage: what
    the intake alone costs), and the pipeline alone working off the
    backlog that left (what classifying and storing cost, intake idle)."""
    url = cluster.url("intake-form", "/api/v1/ideas")
    form = {"intake-form": cluster.pid_of("intake-form")}
    wrk(url, 1, "warm")  # first connections, page cache, classifier model
    c0 = {k: cpu_s(p) for k, p in form.items()}
    r = wrk(url, secs, "intake")
    r["cpu_us"] = cpu_per_idea(form, c0, r["requests"])["intake-form"]
    base = out["baseline"]["pool"]
    out["intake"] = {"form": r, "base": base, "base_tpc": out["baseline"]["tpc"],
                     "ratio": r["rps"] / base["rps"] if base["rps"] else 0.0,
                     "appends": metric(cluster, "intake-form", "inspraak_spool_appends_total"),
                     "fsyncs": metric(cluster, "intake-form", "inspraak_spool_fsyncs_total")}
    log("intake %.0f req/s vs baseline %.0f (ratio %.2f), non-2xx %d" % (
        r["rps"], base["rps"], out["intake"]["ratio"], r["non2xx"]))
    drained = lambda: wait_stored(cluster, int(metric(  # noqa: E731
        cluster, "intake-form", "inspraak_intake_accepted_total")), 600)
    time.sleep(0.5)  # the accepted counter is updated ten times a second
    drained()
    many = wrk(url, secs, "many", conns=WRK_CONNS_MANY)
    out["intake_many"] = many
    log("intake at %d connections %.0f req/s vs baseline %.0f" % (
        WRK_CONNS_MANY, many["rps"], out["baseline"]["pool_many"]["rps"]))
    time.sleep(0.5)
    drained()
    stored0 = zcard(cluster)
    signal_pipeline(cluster, signal.SIGSTOP)
    try:
        c0 = {k: cpu_s(p) for k, p in form.items()}
        alone = wrk(url, min(secs, 8), "alone")
        alone["cpu_us"] = cpu_per_idea(form, c0, alone["requests"])["intake-form"]
        time.sleep(0.5)
        backlog = int(metric(cluster, "intake-form", "inspraak_intake_accepted_total")) - stored0
        pids = dict(pipeline_procs(cluster), redis=redis_pid(cluster), **form)
        c0 = {k: cpu_s(p) for k, p in pids.items()}
        t0 = time.time()
    finally:
        signal_pipeline(cluster, signal.SIGCONT)
    t1, n = wait_stored(cluster, stored0 + backlog, 600)
    n -= stored0
    out["intake_alone"] = alone
    out["pipeline_alone"] = {"ideas": n, "seconds": t1 - t0, "rate": n / max(1e-9, t1 - t0),
                             "cpu_us": cpu_per_idea(pids, c0, n)}
    log("intake alone %.0f req/s (%.1f us CPU an idea); pipeline alone %.0f ideas/s (%s)" % (
        alone["rps"], alone["cpu_us"], out["pipeline_alone"]["rate"], ", ".join(
            "%s %.1f us" % kv for kv in out["pipeline_alone"]["cpu_us"].items())))


class CountPoller(threading.Thread):
    """ZCARD inspraak:ideas every 20 ms: (time, count) pairs."""

    def __init__(self, cluster):
        super().__init__(daemon=True)
        self.cluster, self.points, self.stop_ev = cluster, [], threading.Event()

    def run(self):
        while not self.stop_ev.is_set():
            self.points.append((time.time(), zcard(self.cluster)))
            self.stop_ev.wait(0.02)

    def first_at(self, target):
        for t, n in self.points:
            if n >= target:
                return t
        return None


def s_classifier_work(cluster):
    """[ideas classified, batches] summed over the classifier instances."""
    work = [0.0, 0.0]
    for i in range(cluster.n_instances("classifier")):
        _, _, body = http("GET", cluster.url("classifier", "/metrics", i))
        for line in body.decode().splitlines():
            for k, name in enumerate(("inspraak_classifier_classified_total ",
                                      "inspraak_classifier_batches_total ")):
                if line.startswith(name):
                    work[k] += float(line.split()[-1])
    return work


def bench_drain(cluster, n, rate, cap_s, out):
    acc0 = metric(cluster, "intake-form", "inspraak_intake_accepted_total")
    # The classifier's work: ideas classified (re-sends count again) and
    # batches (services/classifier: every queued idea, up to 256, at once).
    cls0 = s_classifier_work(cluster)
    stored0 = zcard(cluster)
    mem0 = redis_used_memory(cluster)
    rss = RssSampler(cluster, SERVICES)
    poller = CountPoller(cluster)
    rss.start()
    poller.start()
    # wrk cannot stop at a count (a stopped thread still waits for -d), so
    # the duration is chosen from the intake rate just measured, with a
    # tenth more so that a slightly slower run still sends n ideas.
    secs = max(2, int(math.ceil(1.1 * n / max(1.0, rate))))
    r = wrk(cluster.url("intake-form", "/api/v1/ideas"), min(secs, cap_s), "drain")
    time.sleep(0.5)  # the accepted counter is updated ten times a second
    accepted = int(metric(cluster, "intake-form", "inspraak_intake_accepted_total") - acc0)
    t_done, _ = wait_stored(cluster, stored0 + accepted, 600)
    time.sleep(0.2)
    poller.stop_ev.set()
    rss.stop_ev.set()
    poller.join()
    rss.join()
    t_last = poller.first_at(stored0 + accepted) or t_done
    # Each rate over its own window: wrk's run for the accepted ideas, the
    # first to the last stored idea for the stored ones (a window from the
    # first accepted idea would charge the pipeline's latency to its rate).
    t_first = poller.first_at(stored0 + 1) or r["t0"]
    stored = zcard(cluster) - stored0
    acc_s = r["t1"] - r["t0"]
    # The stored count is sampled every 20 ms, so each end of the stored
    # window is known to 20 ms: a pipeline that keeps up stores at the
    # accepted rate, and the two rates can be told apart only beyond that.
    resolution = 0.04 / max(1e-9, t_last - t_first)
    out["drain"] = {"accepted": accepted, "stored": stored, "accept_s": acc_s,
                    "resolution": resolution,
                    "accepted_rate": accepted / acc_s,
                    "stored_rate": stored / max(1e-9, t_last - t_first),
                    "lag_s": max(0.0, t_last - r["t1"]), "non2xx": r["non2xx"],
                    "redis_bytes_per_idea": (redis_used_memory(cluster) - mem0) / max(1, stored),
                    "intake_nice": harness.INTAKE_NICE}
    cls1 = s_classifier_work(cluster)
    out["drain"]["classified"] = int(cls1[0] - cls0[0])
    out["drain"]["ideas_per_batch"] = (cls1[0] - cls0[0]) / max(1.0, cls1[1] - cls0[1])
    out["rss"] = rss.peak
    d = out["drain"]
    log("drain %d accepted at %.0f/s, stored at %.0f/s, lag %.2f s; classified %d "
        "(re-sends included), %.0f ideas a batch" % (
            accepted, d["accepted_rate"], d["stored_rate"], d["lag_s"], d["classified"],
            d["ideas_per_batch"]))


# The latency rows: samples a row, and the warm-up before them (seconds).
# 1,000 samples would steady the p99, but their GETs tripled the
# dashboard's CPU in a 50 % row (0.15-0.20 -> 0.40-0.53 s in 5 s) on the 2-core
# machine whose pipeline is being timed.
LATENCY_SAMPLES = 300
LATENCY_WARM_S = 1


def s_latency_post(cluster, rate, secs, every, tag, token=None):
    """bin/bench-post at `rate`/s for secs; with a token it polls every
    EVERY-th idea on the dashboard itself (BENCH_POLL_URL)."""
    env = dict(os.environ)
    env.pop("BENCH_POLL_URL", None)
    if token:
        env.update(BENCH_POLL_URL=cluster.url("dashboard", "/api/v1/ideas/"),
                   BENCH_POLL_TOKEN=token)
    return subprocess.Popen([os.path.join(cluster.bin, "bench-post"),
                             cluster.url("intake-form", "/api/v1/ideas"), str(rate), str(secs),
                             str(every), tag], stdout=subprocess.PIPE, text=True, env=env)


def bench_latency(cluster, rate, secs, token, label, out):
    """Open loop at `rate`/s for secs (bin/bench-post); LATENCY_SAMPLES
    sampled ideas are polled by id on the dashboard until they answer 200.

    First LATENCY_WARM_S at the same rate, not sampled. The 10 % row runs
    first on a fresh stack, and /healthz answering does not mean the
    intake is connected to a classifier yet: the intake's PUSH connects
    while the classifiers still load their data (~0.3-0.8 s before they
    bind), ZeroMQ's reconnects back off (100, 200, 400, 800 ms), and until
    one succeeds the first ideas wait in the spool. Those first samples
    (up to ~0.5 s here) made the row's p99; the 50 % row, run later,
    never saw them, hence "worse at low load".
    bench-post polls the samples itself, each on its own handle: a poller
    walking the waiting ids one GET at a time charged every sample the
    GETs of the others (tests/tools/bench-post.c)."""
    tag = "%d-%d" % (int(rate), int(time.time()))
    warm = s_latency_post(cluster, rate, LATENCY_WARM_S, 10 ** 9, "warm-" + tag)
    warm.communicate()
    acc = metric(cluster, "intake-form", "inspraak_intake_accepted_total")
    wait_stored(cluster, int(acc), 300)  # start with the pipeline empty
    every = max(1, int(rate * secs) // LATENCY_SAMPLES)
    lat, polls, summary = [], [], {}
    post = s_latency_post(cluster, rate, secs, every, tag, token)
    for line in post.stdout:  # "ID ACCEPTED VISIBLE POLLS", then "# sent N ok M ..."
        f = line.split()
        if line.startswith("#"):
            summary.update(zip(f[1::2], (float(x) for x in f[2::2])))
        elif len(f) == 4:
            lat.append(float(f[2]) - float(f[1]))
            polls.append(int(f[3]))
    post.wait()
    ok, failed = int(summary.get("ok", 0)), int(summary.get("failed", 0))
    achieved = ok / max(1e-9, summary.get("seconds", secs))
    ms = lambda p: pct(lat, p) * 1000  # noqa: E731
    out.setdefault("latency", []).append({
        "label": label, "target": rate, "achieved": achieved, "ok": ok, "failed": failed,
        "samples": len(lat), "lost": int(summary.get("lost", 0)),
        "p50_ms": ms(50), "p90_ms": ms(90), "p99_ms": ms(99), "max_ms": ms(100)})
    log("latency %s: target %.0f/s achieved %.0f/s, p50 %.1f p90 %.1f p99 %.1f max %.1f ms "
        "(%d samples, %d lost, %.1f polls a sample)" % (
            label, rate, achieved, ms(50), ms(90), ms(99), ms(100), len(lat),
            int(summary.get("lost", 0)), sum(polls) / max(1, len(polls))))


def bench_field(cluster, secs, out):
    r = cluster.ctl("device", "add", "bench-tablet")
    if r.returncode != 0:
        raise RuntimeError("inspraakctl device add: " + r.stderr)
    token = r.stdout.strip().split()[-1]
    import http.client as hc
    counts = [0, 0, 0]  # accepted items, rejected items, failed batches
    t_end = time.time() + secs

    def worker(j):
        conn = hc.HTTPConnection("127.0.0.1", cluster.port("intake-field"), timeout=120)
        b = 0
        while time.time() < t_end:
            items = [{"local_id": "w%d-b%d-i%d" % (j, b, i),
                      "text": "Veldgesprek %d/%d/%d: graag meer groen en veilige fietspaden in "
                              "de buurt rond de school en het park" % (j, b, i),
                      "question": "toekomst"} for i in range(1000)]
            body = msgpack({"device_id": "bench-tablet", "activity": "wijkgesprek",
                            "items": items})
            b += 1
            conn.request("POST", "/api/v1/field/batches", body, {
                "Content-Type": "application/msgpack", "Authorization": "Bearer " + token})
            res = conn.getresponse()
            data = res.read()
            if res.status != 200:
                counts[2] += 1
                continue
            d = json.loads(data)
            counts[0] += len(d.get("accepted", []))
            counts[1] += len(d.get("rejected", []))

    t0 = time.time()
    ths = [threading.Thread(target=worker, args=(j,)) for j in range(2)]
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    el = time.time() - t0
    out["field"] = {"accepted": counts[0], "rejected": counts[1], "failed_batches": counts[2],
                    "seconds": el, "rate": counts[0] / el}
    log("field %.0f ideas/s (%d accepted, %d rejected, %d failed batches)" % (
        counts[0] / el, counts[0], counts[1], counts[2]))


def bench_redis(cluster, n, out):
    r = subprocess.run(["redis-benchmark", "-h", "127.0.0.1", "-p", str(cluster.redis_port),
                        "-t", "set,zadd", "-n", str(n), "-c", "32", "-q"],
                       capture_output=True, text=True, timeout=300)
    found = dict(re.findall(r"(\w+): ([\d.]+) requests per second", r.stdout.replace("\r", "\n")))
    out["redis"] = {k: float(v) for k, v in found.items()}
    log("redis-benchmark %s" % out["redis"])


def on_fresh_stack(fn):
    """Runs fn(cluster) on a new stack: Redis, every service, two classifier
    instances (on 2 cores one instance's Redis waits overlap the other's
    classifying: findings.md, "Drain"); stops and removes it afterwards."""
    c = Cluster(SERVICES, env={"INSPRAAK_FORM_RATE": "0", "INSPRAAK_LOG_LEVEL": "warn"},
                instances={"classifier": 2})
    c.start()
    try:
        fn(c)
    finally:
        c.stop()
        c.cleanup()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", default=os.path.join(REPO, "docs", "benchmarks.md"))
    ap.add_argument("--only", default="")
    opts = ap.parse_args()
    opts.secs = 3 if opts.quick else 15
    # The 100,000 ideas for the drain and classifier rows: with two
    # classifier instances the pipeline stores ~1,900/s here (findings.md),
    # so the drain row takes about a minute.
    ideas = 10000 if opts.quick else int(os.environ.get("BENCH_IDEAS", "100000"))
    dash_n = 10000 if opts.quick else int(os.environ.get("BENCH_DASHBOARD_IDEAS", "1000000"))
    only = set(x for x in opts.only.split(",") if x)
    want = lambda name: not only or name in only  # noqa: E731
    bindir = harness.bin_dir()
    m = machine()
    res = {}
    t_start = time.time()
    log("machine %s; binaries %s" % (m, bindir))
    if want("classifier"):
        bench_classifier(bindir, ideas, res)
    if want("dashboard"):
        bench_dashboard(bindir, dash_n, 100 if opts.quick else 300, res)
    # Each group of rows gets a fresh stack (empty Redis and spools): the
    # intake row leaves ~15 s x the intake rate of accepted ideas behind,
    # and rows run behind that backlog would measure it, not themselves.
    top = lambda: res.get("intake", {}).get("form", {}).get("rps")  # noqa: E731
    if want("intake"):
        bench_baseline(bindir, opts.secs, res)
        on_fresh_stack(lambda c: bench_intake(c, opts.secs, res))
    if want("drain"):
        on_fresh_stack(lambda c: bench_drain(c, ideas, top() or 2000.0, 60, res))
    if want("latency") or want("field") or want("redis"):
        def rest(c):
            if want("latency"):
                token = c.staff_token("bench")
                for frac in (0.1, 0.5):
                    rate = (top() or 1000.0) * frac
                    bench_latency(c, rate, opts.secs if opts.quick else 5, token,
                                  "%d%% of max (%.0f/s)" % (frac * 100, rate), res)
            if want("field"):
                bench_field(c, opts.secs if opts.quick else 10, res)
            if want("redis"):
                bench_redis(c, 5000 if opts.quick else 20000, res)
        on_fresh_stack(rest)
    text = report(m, res, opts, WRK_ARGS, WRK_CONNS_MANY)
    with open(opts.out, "w") as f:
        f.write(text)
    log("wrote %s in %.0f s" % (opts.out, time.time() - t_start))


if __name__ == "__main__":
    main()
