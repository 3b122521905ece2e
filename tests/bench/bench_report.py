"""
NAME
    bench_report.py - the Markdown report of `make bench` (docs/benchmarks.md)

DESCRIPTION
    report(machine, results, opts, wrk_args, conns_many) turns the results
    bench.py collected into the table, with each figure's baseline, ratio
    and goal of issue 10, and appends tests/bench/findings.md (the profile
    findings, written by hand). Rows whose benchmark did not run (--only)
    are left out.
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def report(m, res, opts, wrk_args, conns_many):
    L = ["# Benchmarks", "",
         "Written by `make bench` (tests/bench/run.sh, tests/bench/bench.py); do not edit by hand:"
         " the profile findings come from tests/bench/findings.md.", "",
         "Machine: %d CPUs, %s, Linux %s. Run: %s%s. Redis with AOF, `appendfsync always`; "
         "every accepted idea is fsync'd in the intake's spool before the answer." % (
             m["nproc"], m["cpu"], m["kernel"], m["date"], " (--quick)" if opts.quick else ""),
         "", "| benchmark | figure | baseline / reference | ratio | goal |", "|---|---|---|---|---|"]
    row = lambda *c: L.append("| " + " | ".join(c) + " |")  # noqa: E731
    if "intake" in res:
        i = res["intake"]
        f, b, bt = i["form"], i["base"], i["base_tpc"]
        row("intake: wrk %s -d%ds, distinct ideas" % (" ".join(wrk_args), opts.secs),
            "%.0f req/s, non-2xx %d, socket errors %d, mean latency %s" % (
                f["rps"], f["non2xx"], f["sockerr"], f["latency"]),
            "bare libmicrohttpd %.0f req/s (epoll pool of %d); thread per connection %.0f req/s"
            % (b["rps"], m["nproc"], bt["rps"]),
            "%.2f" % i["ratio"], ">= 0.5, 0 errors: %s" % (
                "met" if i["ratio"] >= 0.5 and f["non2xx"] + f["sockerr"] == 0 else "NOT met"))
        row("spool group commit", "%.0f appends / %.0f fsyncs" % (i["appends"], i["fsyncs"]),
            "", "%.1f per fsync" % (i["appends"] / max(1, i["fsyncs"])), "")
        mn, bm = res["intake_many"], res["baseline"]["pool_many"]
        row("intake: the same at -c%d (many residents at once)" % conns_many,
            "%.0f req/s, non-2xx %d, socket errors %d, mean latency %s" % (
                mn["rps"], mn["non2xx"], mn["sockerr"], mn["latency"]),
            "bare libmicrohttpd %.0f req/s (epoll pool of %d)" % (bm["rps"], m["nproc"]),
            "%.2f" % (mn["rps"] / max(1e-9, bm["rps"])), ">= 0.5, 0 errors: %s" % (
                "met" if mn["rps"] >= 0.5 * bm["rps"] and mn["non2xx"] + mn["sockerr"] == 0
                else "NOT met"))
        a, pa = res["intake_alone"], res["pipeline_alone"]
        row("intake alone: the same wrk run for %d s with the pipeline paused (SIGSTOP)"
            % min(opts.secs, 8),
            "%.0f req/s, non-2xx %d; intake-form %.1f us CPU an idea (%.1f with the pipeline "
            "running)" % (a["rps"], a["non2xx"], a["cpu_us"], f["cpu_us"]),
            "bare server %.1f us CPU a request" % b["cpu_us"],
            "%.2f" % (a["rps"] / max(1e-9, b["rps"])), "")
        fl = res.get("floor")
        if fl:
            conns = wrk_args[1]  # "-c32"
            row("durable floor: bin/bench-durable (reads the body, group-commits it with "
                "fdatasync, answers; nothing else), the same wrk %s / -c%d" % (conns, conns_many),
                "%.0f / %.0f req/s, %.1f us CPU a request; at nice %d (as the intakes) %.0f req/s"
                % (fl["pool"]["rps"], fl["pool_many"]["rps"], fl["pool"]["cpu_us"], fl["nice"],
                   fl["pool_nice"]["rps"]),
                "bare server %.0f / %.0f req/s" % (b["rps"], bm["rps"]),
                "%.2f / %.2f" % (fl["pool"]["rps"] / max(1e-9, b["rps"]),
                                 fl["pool_many"]["rps"] / max(1e-9, bm["rps"])),
                "the most a durable intake can reach here")
            row("intake against the durable floor (%s, as deployed / alone)" % conns[1:],
                "%.0f / %.0f req/s" % (f["rps"], a["rps"]),
                "floor %.0f req/s (nice 0), %.0f (nice %d)" % (
                    fl["pool"]["rps"], fl["pool_nice"]["rps"], fl["nice"]),
                "%.2f / %.2f of the floor at nice %d" % (
                    f["rps"] / max(1e-9, fl["pool_nice"]["rps"]),
                    a["rps"] / max(1e-9, fl["pool_nice"]["rps"]), fl["nice"]), "")
        row("pipeline alone: the %d ideas the paused run left, intake idle" % pa["ideas"],
            "stored %.0f/s; CPU an idea: %s" % (pa["rate"], ", ".join(
                "%s %.1f us" % kv for kv in pa["cpu_us"].items())), "", "", "")
    if "drain" in res:
        d = res["drain"]
        row("drain: %d ideas (form -> classifier -> storage -> Redis)" % d["accepted"],
            "stored %.0f/s (first to last stored); last stored %.2f s after last accepted" % (
                d["stored_rate"], d["lag_s"]),
            "accepted %.0f/s over %.1f s (intakes at nice %d, as deployed)" % (
                d["accepted_rate"], d["accept_s"], d.get("intake_nice", 0)),
            "%.2f" % (d["stored_rate"] / max(1e-9, d["accepted_rate"])),
            "stored >= accepted rate: %s" % (
                "met" if d["stored_rate"] >= d["accepted_rate"] else
                "met: equal within the 20 ms sampling of the stored count (%.2f %%)" % (
                    100 * d.get("resolution", 0))
                if d["stored_rate"] >= d["accepted_rate"] * (1 - d.get("resolution", 0)) else
                "NOT met"))
    for l in res.get("latency", []):
        row("latency accepted -> visible (GET /api/v1/ideas/{id}) at %s" % l["label"],
            "p50 %.1f ms, p99 %.1f ms (%d samples, %d never seen)" % (
                l["p50_ms"], l["p99_ms"], l["samples"], l["lost"]),
            "open loop, target %.0f/s, achieved %.0f/s, %d failed" % (
                l["target"], l["achieved"], l["failed"]), "", "")
    if "field" in res:
        f = res["field"]
        row("field: 1,000-item MessagePack batches, 2 clients",
            "%.0f ideas/s (%d accepted, %d rejected, %d failed batches)" % (
                f["rate"], f["accepted"], f["rejected"], f["failed_batches"]), "", "", "")
    if "classifier" in res:
        c = res["classifier"]
        row("classifier: bin/classify on %d ideas" % c["n"], "%.0f ideas/s" % c["rate"],
            "`wc -w` %.0f ideas/s" % c["wc_rate"], "%.4f" % c["ratio"], "")
    if "dashboard" in res:
        d = res["dashboard"]
        for kind, q in d["queries"].items():
            row("dashboard %s, %d ideas in Redis" % (kind, d["n"]),
                "p50 %.1f ms, p99 %.1f ms (%d queries, %d errors)" % (
                    q["p50_ms"], q["p99_ms"], q["n"], q["errors"]), "", "",
                "p99 <= 20 ms: %s" % ("met" if q["p99_ms"] <= 20 else "NOT met"))
        if "public" in res:
            p = res["public"]
            row("public page /resultaten, %d ideas in Redis: first visit; after a change "
                "(rendered); unchanged (the kept copy, public_cache.c)" % p["n"],
                "%.0f ms; p50 %.1f / p99 %.1f ms (%d); p50 %.2f / p99 %.2f ms (%d); %d errors" % (
                    p["first_ms"], p["changed"]["p50_ms"], p["changed"]["p99_ms"],
                    p["changed"]["n"], p["kept"]["p50_ms"], p["kept"]["p99_ms"], p["kept"]["n"],
                    p["errors"]), "", "", "")
        row("memory: Redis bytes per 200-character idea (indexes, stats included)",
            "%.0f B (%d ideas loaded in %.1f s with bin/bench-load --bulk, AOF off)" % (
                d["bytes_per_idea"], d["n"], d["load_s"]), "", "",
            "<= 2 KB: %s" % ("met" if d["bytes_per_idea"] <= 2048 else "NOT met"))
    if "drain" in res:
        row("memory: Redis bytes per idea via the pipeline (drain run)",
            "%.0f B" % res["drain"]["redis_bytes_per_idea"], "", "", "")
    if "rss" in res:
        row("RSS under load (peak during drain)", ", ".join(
            "%s %.1f MiB" % (k, v / 1024.0) for k, v in res["rss"].items()), "", "", "")
    if "dashboard" in res:
        d = res["dashboard"]
        row("RSS with %d ideas" % d["n"], "dashboard %.1f MiB, redis %.1f MiB" % (
            d["rss_kib"] / 1024.0, d["redis_rss_kib"] / 1024.0), "", "", "")
    if "redis" in res:
        row("redis-benchmark -c 32 (same Redis, appendfsync always)", ", ".join(
            "%s %.0f/s" % kv for kv in res["redis"].items()), "", "", "")
    L.append("")
    notes = os.path.join(HERE, "findings.md")
    if os.path.exists(notes):
        L.append(open(notes).read())
    return "\n".join(L) + "\n"
