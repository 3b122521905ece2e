#!/usr/bin/env python3
"""eval_holdout - score bin/classify on the labelled HOLD-OUT set.

Usage: tests/eval/eval_holdout.py [--bin DIR] [--data FILE] [--json] [--keywords-dups]
                                  [--cv FILE] [--pool FILE...]

tests/data/ideas/holdout.jsonl (h001..h200) was written by hand without
looking at the classifier, its lexicons or the development set (see
tests/data/ideas/HOLDOUT.md). Nothing here trains: bin/classify labels the
hold-out ideas with the model the project ships (data/nl/model.tsv, the
default when INSPRAAK_MODEL_FILE is unset), with the labels removed from its
input. The figures are therefore on text that neither the lexicons nor the
learned weights have seen, and can be set against the cross-validated
figures of tests/eval/eval_classify.py. The shipped model is trained on
dev.jsonl and the extra corpus data/nl/train/*.jsonl; a hold-out text found
in that corpus is counted and warned about (never printed).

The definitions are those of eval_classify.py, imported from it, not copied:
theme micro/macro-F1 and primary-theme accuracy, accuracy and per-value
P/R/F1 for sentiment, question, wijk and language, and near-duplicate pair
precision/recall/F1. The near-duplicates come from the same run: one
bin/classify run over the whole file in file order with the shipped model,
as the classifier service clusters (its score uses the model's first theme,
sentiment and question). eval_classify.py's cross-validation does the same
with a model that never saw the scored file (one trained on the corpus
alone). --keywords-dups scores them as until 2026-11-28 instead: a second
run with keywords alone (INSPRAAK_MODEL_FILE=none).
--json prints the summary numbers as one JSON object with the same keys.

--cv FILE (the cross-validation figures eval_classify.py --out wrote):
each goal line also says whether this set holds within 0.05 of them,
issue 6's bar for ideas by other writers.

--pool FILE...: every figure pooled over several hold-out sets (each file
one bin/classify run, as above). Near-duplicates: the pairs of all runs
added up, the 95 % interval over the groups of all of them. The other
goals: scored on all the sets' ideas together, with a 95 % interval
from resampling ideas within each set (a stratified bootstrap: each
sample keeps every set's size, so no writer weighs more than its share)
and the lowest and highest single set beside it. One set holds 200
ideas and 40-60 gold pairs; one accuracy on 200 ideas is only sure to
about +-0.05, the width of issue 6's bar itself, so the pooled figure
says more about unseen writers than any one set. The interval is over
these writers' ideas: how much writers differ from each other shows in
the single sets' range, not in it.
"""
import argparse
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def load_eval_classify():
    """eval_classify.py from this folder (tests/eval), else from $INSPRAAK_REPO/tests/eval."""
    dirs = [HERE]
    if os.environ.get("INSPRAAK_REPO"):
        dirs.append(os.path.join(os.environ["INSPRAAK_REPO"], "tests", "eval"))
    for d in dirs:
        if os.path.isfile(os.path.join(d, "eval_classify.py")):
            sys.path.insert(0, d)
            sys.dont_write_bytecode = True  # leave no __pycache__ in the repository
            import eval_classify
            return eval_classify
    sys.exit("eval_holdout: eval_classify.py not found next to this script; "
             "copy this file to tests/eval/ or set INSPRAAK_REPO")


def main():
    ec = load_eval_classify()
    ap = argparse.ArgumentParser(description="score bin/classify (shipped model) on the hold-out set")
    ap.add_argument("--bin", default=os.environ.get("INSPRAAK_BIN") or os.path.join(ec.ROOT, "bin"))
    ap.add_argument("--data", default=os.path.join(ec.ROOT, "tests/data/ideas/holdout.jsonl"))
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--keywords-dups", action="store_true",
                    help="near-duplicates from a keywords-alone run (the scoring before 2026-11-28)")
    ap.add_argument("--cv", metavar="FILE",
                    help="cross-validation figures (eval_classify.py --out FILE): also say, "
                         "per goal, whether this set holds within %.2f of them" % WITHIN)
    ap.add_argument("--pool", nargs="+", metavar="FILE",
                    help="every figure pooled over these hold-out sets")
    args = ap.parse_args()
    if args.pool:
        return pool(ec, args)
    items = ec.load_jsonl(args.data)
    if not items:
        sys.exit("eval_holdout: no ideas in %s" % args.data)
    # The shipped model learned from data/nl/train/*.jsonl too: a copy of
    # a hold-out text there would make these figures training-set figures.
    # Only the number of such copies is told, never the texts.
    extra, _, _ = ec.load_extra(os.path.join(ec.ROOT, "data/nl/train"), [])
    held = {ec.norm_text(it.get("text")) for it in items}
    leaked = sum(ec.norm_text(it.get("text")) in held for it in extra)
    if leaked:
        print("eval_holdout: WARNING: %d hold-out texts are also in data/nl/train/*.jsonl"
              " (the shipped model trained on them)" % leaked, file=sys.stderr)
    got = ec.run_classify(args.bin, items)              # shipped model, no training
    out, lines = ec.score(items, got)
    ec.score_dups(items, ec.run_classify(args.bin, items, "none") if args.keywords_dups else got,
                  out, lines)
    out["holdout_texts_in_training_corpus"] = leaked
    if args.json:
        print(json.dumps(out))
        return
    print("%d ideas from %s, shipped model on UNSEEN hold-out data (no training), bin %s"
          % (len(items), os.path.relpath(args.data, ec.ROOT), args.bin))
    print("\n".join(lines))
    cv = s_load_cv(args.cv)
    print("goals (issue 6)%s:" % (": the goal, and within %.2f of cross-validation" % WITHIN
                                  if cv else ""))
    for key, goal in ec.GOALS.items():
        print("  %-20s %.3f  goal %.2f  %s%s" % (key, out[key], goal,
                                                "met" if out[key] >= goal else "NOT met",
                                                s_within(out[key], cv.get(key)) if cv else ""))


# Issue 6: on ideas by other writers "the figures hold within 0.05" of
# the cross-validated ones.
WITHIN = 0.05


def s_load_cv(path):
    """The cross-validation summary eval_classify.py --out wrote, or {}."""
    if not path:
        return {}
    try:
        with open(path, encoding="utf-8") as f:
            cv = json.load(f)
    except (OSError, ValueError) as e:
        sys.exit("eval_holdout: cannot read the cross-validation figures %s (%s)" % (path, e))
    if not isinstance(cv, dict):
        sys.exit("eval_holdout: %s holds no figures" % path)
    return cv


def s_within(value, cv_value):
    """'; CV 0.853, -0.053: NOT within 0.05' for a goal line."""
    if not isinstance(cv_value, (int, float)):
        return ""
    gap = value - cv_value
    # a gap of exactly 0.05 holds; the small term keeps 0.05 from failing
    # on a float that prints as 0.050
    return "; CV %.3f, %+.3f: %s" % (cv_value, gap,
                                     "within %.2f" % WITHIN if gap >= -WITHIN - 1e-9
                                     else "NOT within %.2f" % WITHIN)


def pool(ec, args):
    """--pool: one run per file; pairs and groups pooled, ideas pooled."""
    import pair_interval
    total, blocks, sets = [0, 0, 0], [], []
    for path in args.pool:
        items = ec.load_jsonl(path)
        if not items:
            sys.exit("eval_holdout: no ideas in %s" % path)
        got = ec.run_classify(args.bin, items)
        gold = pair_interval.pairs([it.get("dup_group") for it in items])
        pred = pair_interval.pairs([g.get("cluster") for g in got])
        total = [a + b for a, b in zip(total, pair_interval.counts(gold, pred))]
        blocks += pair_interval.blocks(gold, pred)
        sets.append((items, got))
    p, r, f = pair_interval.prf(*total)
    low, high = pair_interval.interval(blocks)
    out = {"dup_pair_precision": p, "dup_pair_recall": r, "dup_pair_f1": f,
           "dup_pair_f1_low": low, "dup_pair_f1_high": high, "sets": len(args.pool)}
    labels = s_pool_labels(ec, sets, pair_interval)
    for key, (value, lo, hi, worst, best) in labels.items():
        out.update({key: value, key + "_low": lo, key + "_high": hi})
    if args.json:
        print(json.dumps(out))
        return
    cv = s_load_cv(args.cv)
    print("%d hold-out sets pooled (%d ideas; 95 %% interval from resampling ideas within each "
          "set; the lowest and highest single set):" % (len(sets), sum(len(s[0]) for s in sets)))
    for key, (value, lo, hi, worst, best) in labels.items():
        print("  %-20s %.3f (%.3f-%.3f; sets %.3f-%.3f)  goal %.2f  %s%s"
              % (key, value, lo, hi, worst, best, ec.GOALS[key],
                 "met" if value >= ec.GOALS[key] else "NOT met",
                 s_within(value, cv.get(key)) if cv else ""))
    print("near-duplicates, %d hold-out sets pooled: pair P %.3f R %.3f F1 %.3f (%d gold pairs; "
          "95 %% interval %.3f-%.3f over %d groups)"
          % (len(args.pool), p, r, f, total[0] + total[2], low, high, len(blocks))
          + (s_within(f, cv.get("dup_pair_f1")) if cv else ""))


POOL_REPS = 1000  # bootstrap samples of the pooled ideas; the bounds move < 0.005 beyond this


def s_pool_labels(ec, sets, pair_interval):
    """{goal: (pooled value, low, high, lowest set, highest set)} for every
    goal but the near-duplicates, scored by eval_classify.score() on the
    ideas of all sets together. The interval resamples ideas within each
    set (stratified), seeded as pair_interval is, so it repeats."""
    keys = [k for k in ec.GOALS if not k.startswith("dup_")]
    items = [it for s in sets for it in s[0]]
    got = [g for s in sets for g in s[1]]
    pooled = ec.score(items, got)[0]
    single = [ec.score(s[0], s[1])[0] for s in sets]
    rnd = random.Random(pair_interval.SEED)
    starts, sizes = [], []
    for s in sets:
        starts.append(sum(sizes))
        sizes.append(len(s[0]))
    samples = {k: [] for k in keys}
    for _ in range(POOL_REPS):
        idx = [start + rnd.randrange(n) for start, n in zip(starts, sizes) for _ in range(n)]
        out = ec.score([items[i] for i in idx], [got[i] for i in idx])[0]
        for k in keys:
            samples[k].append(out[k])
    result = {}
    for k in keys:
        lo, hi = pair_interval.bounds(sorted(samples[k]))
        result[k] = (pooled[k], lo, hi, min(o[k] for o in single), max(o[k] for o in single))
    return result


if __name__ == "__main__":
    main()
