#!/usr/bin/env python3
"""eval_classify - score bin/classify on the labelled development set.

Usage: tests/eval/eval_classify.py [--bin DIR] [--data FILE] [--json]

Strips the labels (themes, sentiment, question, wijk, language, dup_group)
from every idea, runs bin/classify (DIR from --bin, else $INSPRAAK_BIN,
else bin/) with INSPRAAK_DATA=./data, and prints per-label precision,
recall and F1 plus accuracy for themes (micro-F1 over all theme slugs,
macro-F1 and primary-theme accuracy too), sentiment, question, wijk and
language. --json prints the summary numbers as one JSON object instead
(used by tests/integration/test_classify_eval.py).

Note: the keyword lists were tuned by looking at this same set, so these
are training-set figures, not figures on unseen ideas.
"""
import argparse
import json
import os
import subprocess
import sys
from collections import Counter

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LABELS = ("themes", "sentiment", "question", "wijk", "language", "dup_group")


def run_classify(bindir, items):
    stdin = "".join(json.dumps({k: v for k, v in it.items() if k not in LABELS},
                               ensure_ascii=False) + "\n" for it in items)
    env = dict(os.environ, INSPRAAK_DATA=os.path.join(ROOT, "data"))
    out = subprocess.run([os.path.join(bindir, "classify")], input=stdin.encode(),
                         stdout=subprocess.PIPE, env=env, check=True).stdout.decode()
    got = [json.loads(l) for l in out.splitlines() if l.strip()]
    if len(got) != len(items):
        sys.exit("classify answered %d lines for %d ideas" % (len(got), len(items)))
    return got


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def single(name, gold, pred, lines):
    """Accuracy and per-value P/R/F1 for a one-value label (None = null)."""
    tp, fp, fn = Counter(), Counter(), Counter()
    for g, p in zip(gold, pred):
        if g == p:
            tp[g] += 1
        else:
            fp[p] += 1
            fn[g] += 1
    acc = sum(tp.values()) / len(gold)
    lines.append("%s: accuracy %.3f" % (name, acc))
    for v in sorted(set(gold) | set(pred), key=lambda x: str(x)):
        p, r, f = prf(tp[v], fp[v], fn[v])
        lines.append("  %-16s P %.3f  R %.3f  F1 %.3f  (n=%d)" % (v, p, r, f, tp[v] + fn[v]))
    return acc


def score(items, got):
    lines = []
    out = {}
    tp, fp, fn = Counter(), Counter(), Counter()
    primary = 0
    for it, g in zip(items, got):
        gs, ps = set(it["themes"]), g.get("themes") or []
        primary += bool(ps) and ps[0] == it["themes"][0]
        for t in set(ps):
            (tp if t in gs else fp)[t] += 1
        for t in gs - set(ps):
            fn[t] += 1
    micro = prf(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    slugs = sorted(set(tp) | set(fn) | set(fp))
    macro = sum(prf(tp[s], fp[s], fn[s])[2] for s in slugs) / len(slugs)
    out["themes_micro_f1"] = micro[2]
    out["themes_macro_f1"] = macro
    out["themes_primary_accuracy"] = primary / len(items)
    lines.append("themes: micro P %.3f R %.3f F1 %.3f; macro-F1 %.3f; primary accuracy %.3f"
                 % (micro[0], micro[1], micro[2], macro, primary / len(items)))
    for s in slugs:
        p, r, f = prf(tp[s], fp[s], fn[s])
        lines.append("  %-16s P %.3f  R %.3f  F1 %.3f  (n=%d)" % (s, p, r, f, tp[s] + fn[s]))
    for key in ("sentiment", "question", "wijk", "language"):
        out[key + "_accuracy"] = single(key, [it.get(key) for it in items],
                                        [g.get(key) for g in got], lines)
    return out, lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.environ.get("INSPRAAK_BIN") or os.path.join(ROOT, "bin"))
    ap.add_argument("--data", default=os.path.join(ROOT, "tests/data/ideas/dev.jsonl"))
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    with open(args.data, encoding="utf-8") as f:
        items = [json.loads(l) for l in f if l.strip()]
    got = run_classify(args.bin, items)
    out, lines = score(items, got)
    if args.json:
        print(json.dumps(out))
    else:
        print("%d ideas from %s" % (len(items), os.path.relpath(args.data, ROOT)))
        print("\n".join(lines))


if __name__ == "__main__":
    main()
