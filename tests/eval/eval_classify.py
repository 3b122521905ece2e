#!/usr/bin/env python3
"""eval_classify - score bin/classify on the labelled development set.

Usage: tests/eval/eval_classify.py [--bin DIR] [--data FILE] [--folds K]
                                   [--seed N] [--no-extra] [--json]
                                   [--debug-dups] [--dup-corpus] [--out FILE]
                                   [--by-writer [--suspects]]

k-fold cross-validation (default 5 folds, fixed seed): the ideas are
shuffled with the seed and cut into K folds; for each fold,
bin/classify-train learns a model from the other K-1 folds and
bin/classify (INSPRAAK_MODEL_FILE = that model) labels the held-out fold,
with the labels (themes, sentiment, question, wijk, language, dup_group)
removed from its input. The scores are over all held-out answers together
(every idea is scored once, by a model that never saw it).

Extra training corpus: every fold's model also learns from every labelled
idea in data/nl/train/*.jsonl (same format as dev.jsonl, written for
training only), so the figures say how the shipped model (`make model`
trains it on dev.jsonl + data/nl/train/*.jsonl) does on dev ideas it never
saw. An extra idea whose text is also a dev idea's text (after
lowercasing and folding white space) is left out, so a held-out idea can
never be trained on through a copy. A dev idea counts 3 times in the
training loss against a corpus idea (DEV_WEIGHT below, as `make model`;
INSPRAAK_DEV_WEIGHT tries others). --no-extra trains on the dev folds
alone (the figures before the corpus existed). --folds 0
scores the shipped model (data/nl/model.tsv) on the whole set instead:
training-set figures, only for comparison. --folds -1 scores the keyword
lexicons alone (INSPRAAK_MODEL_FILE=none).

--by-writer: leave-one-writer-out instead of the near-duplicate run.
Each data/nl/train/X.jsonl is one writer and the dev set one more; for
each writer a model learns from all the others (dev weighted DEV_WEIGHT,
as `make model`; with dev left out, the corpus alone) and labels that
writer's ideas. Prints per-writer and pooled figures (all writers, and
the corpus writers alone) and the gap of the pooled figures to dev
cross-validation: how well the labels carry over to a writer the model
never saw, the guide to new sets (the hold-out sets stay for the final
report). --suspects also lists the ideas whose sentiment or question
label the left-out model contradicts with probability >= 0.9 (bin/
classify-train -P), to read against LABELS.md for label noise.

Near-duplicates: one bin/classify run over the whole set in file order
(the cluster state lives in memory for a run), with a model trained on
the extra corpus alone (never on dev: no model saw these ideas; the first
theme and the sentiment in the cluster score are the model's, as in the
service, which runs the shipped model), or keywords alone with
--no-extra; pairwise precision/recall/F1 against dup_group (a pair is
positive when both ideas share a dup_group). --dup-corpus also scores
each training-corpus file the same way (a model trained on dev and the
other files), pairs pooled, with the shipped hash and (mean, lowest,
highest) with the other hashes that dev is scored with.

Prints per-label precision, recall and F1 plus accuracy for themes
(micro-F1 over all theme slugs, macro-F1 and primary-theme accuracy too),
sentiment, question, wijk and language, and whether each figure meets the
goal of issue 6. --json prints the summary numbers as one JSON object
(used by tests/integration/test_classify_eval.py).

Be careful with what the figures say: the keyword lexicons (themes.tsv,
question.tsv, sentiment.tsv, the place table in classify_wijk.c) and the
cluster threshold were written while looking at this same set, and the
model uses the lexicon scores as features; cross-validation keeps the
learned weights honest, not the lexicons. See docs/classifier.md.
"""
import argparse
import concurrent.futures
import glob
import json
import os
import random
import subprocess
import sys
import tempfile
from collections import Counter

import pair_interval

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LABELS = ("themes", "sentiment", "question", "wijk", "language", "dup_group")


GOALS = {"themes_macro_f1": 0.85, "sentiment_accuracy": 0.85, "question_accuracy": 0.90,
         "wijk_accuracy": 0.95, "language_accuracy": 0.97, "dup_pair_f1": 0.75}


def run_classify(bindir, items, model=None, hash_seed=0):
    """bin/classify over items (labels removed); model None: the shipped
    one; hash_seed: bin/classify --hash-seed (0: the shipped hash)."""
    stdin = "".join(json.dumps({k: v for k, v in it.items() if k not in LABELS},
                               ensure_ascii=False) + "\n" for it in items)
    env = dict(os.environ, INSPRAAK_DATA=os.path.join(ROOT, "data"))
    env.pop("INSPRAAK_MODEL_FILE", None)
    if model:
        env["INSPRAAK_MODEL_FILE"] = model
    argv = [os.path.join(bindir, "classify")] + (["--hash-seed", str(hash_seed)] if hash_seed else [])
    out = subprocess.run(argv, input=stdin.encode(),
                         stdout=subprocess.PIPE, env=env, check=True).stdout.decode()
    got = [json.loads(l) for l in out.splitlines() if l.strip()]
    if len(got) != len(items):
        sys.exit("classify answered %d lines for %d ideas" % (len(got), len(items)))
    return got


TRAIN_ARGS = os.environ.get("INSPRAAK_TRAIN_ARGS", "").split()
# How many times a dev idea counts in training against one corpus idea
# (classify-train -W). Keep it equal to DEV_WEIGHT in the Makefile (`make
# model`). The dev writers label like the writers of the sets that judge
# the model; the corpus writers differ somewhat (how calm a complaint with
# a proposal must be to be neutraal). Mean of 5-fold CV over seeds 6-10,
# weight 1 / 2 / 3 / 5 / 8: sentiment 0.824 / 0.829 / 0.834 / 0.834 /
# 0.836, question 0.906 / 0.909 / 0.908 / 0.907 / 0.908; themes macro-F1
# 0.857 at 1, 0.859 at 3. 3: the gain without leaning on 64 dev ideas.
# Leave-one-writer-out (--by-writer) pooled themes / sentiment / question:
# 0.835 / 0.812 / 0.912 at 3, 0.837 / 0.814 / 0.911 at 1, 0.838 / 0.813 /
# 0.913 at 2 with classify-train -m 2 (dev CV means of seeds 6-10 at 2
# with -m 2: 0.861 / 0.850 / 0.915, against 0.862 / 0.855 / 0.911 now):
# within noise (a paired difference of ~0.004 on 3,538 ideas), so 3 stays.
DEV_WEIGHT = os.environ.get("INSPRAAK_DEV_WEIGHT", "3")


def write_jsonl(path, items):
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(json.dumps(it, ensure_ascii=False) + "\n" for it in items)


def train(bindir, items, path, extra_paths=()):
    """A model at path from items (dev ideas, weighted DEV_WEIGHT) and
    the JSON Lines files extra_paths (corpus ideas, weight 1; one file a
    writer, as classify-train prunes words only one file has)."""
    env = dict(os.environ, INSPRAAK_DATA=os.path.join(ROOT, "data"))
    dev_path = path + ".dev.jsonl"
    write_jsonl(dev_path, items)
    args = ["-W", "%s:%s" % (DEV_WEIGHT, dev_path)] + list(extra_paths)
    subprocess.run([os.path.join(bindir, "classify-train"), "-o", path] + TRAIN_ARGS + args,
                   env=env, check=True, stderr=subprocess.DEVNULL)
    os.unlink(dev_path)


def write_writers(folder, groups):
    """Each list of ideas in groups (one writer's) as a JSON Lines file
    in folder; returns the paths."""
    paths = []
    for k, items in enumerate(groups):
        paths.append(os.path.join(folder, "writer-%02d.jsonl" % k))
        write_jsonl(paths[-1], items)
    return paths


def norm_text(text):
    """The text as compared for copies: lowercase, white space folded."""
    return " ".join((text or "").lower().split())


def load_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]


def load_corpus_file(path):
    """The ideas of one corpus file: the lines that are JSON objects with
    a text (a half-written line, say while a writer works, is skipped, as
    bin/classify-train skips it)."""
    rows = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            try:
                it = json.loads(line)
            except ValueError:
                continue
            if isinstance(it, dict) and isinstance(it.get("text"), str):
                rows.append(it)
    return rows


def load_extra_groups(folder, dev_items):
    """The labelled ideas of folder/*.jsonl (sorted by file name), less
    those whose text is a dev idea's text. A line that is not a JSON
    object with a text (say, half written: the files grow while writers
    work) is skipped, as bin/classify-train skips it. Returns (groups,
    files, copies): groups holds the kept ideas of each file (a writer)."""
    files = sorted(glob.glob(os.path.join(folder, "*.jsonl")))
    dev_texts = {norm_text(it.get("text")) for it in dev_items}
    groups, copies = [], 0
    for path in files:
        rows = load_corpus_file(path)
        groups.append([it for it in rows if norm_text(it["text"]) not in dev_texts])
        copies += len(rows) - len(groups[-1])
    return groups, files, copies


def load_extra(folder, dev_items):
    """load_extra_groups() with the ideas of all files in one list:
    (items, files, copies)."""
    groups, files, copies = load_extra_groups(folder, dev_items)
    return [it for g in groups for it in g], files, copies


def cross_validate(bindir, items, folds, seed, groups=()):
    """Held-out answers for every idea, in the order of items; every fold
    trains on the other folds plus the extra ideas, groups (a list per
    writer; never on its own fold)."""
    order = list(range(len(items)))
    random.Random(seed).shuffle(order)
    got = [None] * len(items)

    def fold(f, tmp):
        test = [i for k, i in enumerate(order) if k % folds == f]
        held = set(test)
        model = os.path.join(tmp, "model-%d.tsv" % f)
        train(bindir, [it for i, it in enumerate(items) if i not in held], model, extra_paths)
        return test, run_classify(bindir, [items[i] for i in test], model)

    # The folds are independent: one at a time per core (the answers do
    # not depend on the order, training has no randomness).
    with tempfile.TemporaryDirectory() as tmp, \
            concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        extra_paths = write_writers(tmp, groups)
        for test, answers in pool.map(lambda f: fold(f, tmp), range(folds)):
            for i, g in zip(test, answers):
                got[i] = g
    return got


def probe(bindir, items, model):
    """The class probabilities of items under model (classify-train -P),
    one dict a line: {"sentiment": {CLASS: P}, "question": ..., ...}."""
    env = dict(os.environ, INSPRAAK_DATA=os.path.join(ROOT, "data"))
    stdin = "".join(json.dumps(it, ensure_ascii=False) + "\n" for it in items).encode()
    out = subprocess.run([os.path.join(bindir, "classify-train"), "-P", model], input=stdin,
                         stdout=subprocess.PIPE, env=env, check=True).stdout.decode()
    return [json.loads(l) for l in out.splitlines() if l.strip()]


def by_writer(bindir, dev_items, files, probs=False):
    """--by-writer: leave-one-writer-out. Returns [(name, items, answers,
    probabilities or None)] for every corpus file and the dev set ("dev"),
    each labelled by a model trained on all the other writers (dev
    weighted DEV_WEIGHT); a training idea whose text is also a held-out
    text is left out."""
    writers = [("dev", list(dev_items))] + [
        (os.path.basename(p)[:-len(".jsonl")], load_corpus_file(p)) for p in files]

    def one(k):
        name, test = writers[k]
        texts = {norm_text(it["text"]) for it in test}
        rest = [[it for it in w if norm_text(it["text"]) not in texts]
                for j, (_, w) in enumerate(writers) if j not in (0, k)]
        dev = [] if k == 0 else [it for it in dev_items if norm_text(it["text"]) not in texts]
        with tempfile.TemporaryDirectory() as tmp:
            model = os.path.join(tmp, "model.tsv")
            train(bindir, dev, model, write_writers(tmp, rest))  # no dev: the corpus alone
            return (name, test, run_classify(bindir, test, model),
                    probe(bindir, test, model) if probs else None)

    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return list(pool.map(one, range(len(writers))))


WRITER_KEYS = ("themes_macro_f1", "sentiment_accuracy", "question_accuracy")


def suspects(results, lines, confidence=0.9):
    """--suspects: the corpus ideas whose sentiment or question label the
    left-out writer's model contradicts with probability >= confidence:
    candidates for label noise, to read against LABELS.md (never to
    relabel to fit the model)."""
    for name, items, got, probs in results:
        for it, p in zip(items, probs or ()):
            for key in ("sentiment", "question"):
                best = max(p[key], key=p[key].get)
                if best != it.get(key) and p[key][best] >= confidence:
                    lines.append("  %s %s: label %s, model %s %.2f | %s" % (
                        it["id"], key, it.get(key), best, p[key][best],
                        it["text"].replace("\n", " ")))


def report_by_writer(results, cv, out, lines):
    """Per-writer and pooled figures of by_writer(), and the gap of the
    pooled figures (all writers) to the dev cross-validation figures cv."""
    lines.append("leave-one-writer-out (model trained on all other writers):")
    lines.append("  %-8s %5s  %-7s %-7s %-7s" % ("writer", "n", "themes", "sent", "quest"))
    for name, items, got, _ in results:
        s, _ = score(items, got)
        out["writer_" + name] = {k: s[k] for k in WRITER_KEYS}
        lines.append("  %-8s %5d  %.3f   %.3f   %.3f" % ((name, len(items)) +
                                                       tuple(s[k] for k in WRITER_KEYS)))
    for label, part in (("pooled", results), ("corpus", [r for r in results if r[0] != "dev"])):
        s, _ = score([it for r in part for it in r[1]], [g for r in part for g in r[2]])
        out.update({"%s_%s" % (label, k): s[k] for k in WRITER_KEYS})
        lines.append("  %-8s %5d  %.3f   %.3f   %.3f" % ((label, sum(len(r[1]) for r in part)) +
                                                       tuple(s[k] for k in WRITER_KEYS)))
    lines.append("  gap of pooled to dev CV: " + ", ".join(
        "%s %+.3f" % (k.split("_")[0], out["pooled_" + k] - cv[k]) for k in WRITER_KEYS))


pairs = pair_interval.pairs


def dup_debug(items, got, gold, pred):
    """--debug-dups: the clusters with a wrong member and the missed pairs
    (for development; never tune the lexicons to single ideas)."""
    def show(i):
        return "%s [%s %s %s] %s" % (items[i]["id"], items[i].get("dup_group"),
                                     got[i].get("wijk"), ",".join(got[i].get("themes") or []),
                                     items[i]["text"][:90].replace("\n", " "))
    by = {}
    for i, g in enumerate(got):
        by.setdefault(g.get("cluster"), []).append(i)
    for c, m in sorted(by.items(), key=lambda x: str(x[0])):
        if len(m) > 1 and any((a, b) not in gold for x, a in enumerate(m) for b in m[x + 1:]):
            print("cluster %s:\n  %s" % (c, "\n  ".join(show(i) for i in m)))
    for a, b in sorted(gold - pred):
        print("missed: %s | %s" % (show(a), show(b)))


# Other hashes of the near-duplicate sketch that `make eval` also scores
# (bin/classify --hash-seed): the 64 slots hold many keys of a long idea,
# so which keys share a slot moves pair F1 by several points, and eight
# rounds of constants were chosen on seed 0 (docs/classifier-history.md "The
# hash decides"). Their mean is the figure a new hash would give.
HASH_SEEDS = range(1, 9)


def dup_run(bindir, items, extra, hash_seeds=()):
    """The near-duplicate run: a model trained on the extra corpus only
    (none of items), or keywords alone when there is no corpus. Returns
    the answers with the shipped hash, and the answers of the same run
    with each of hash_seeds."""
    with tempfile.TemporaryDirectory() as tmp, \
            concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        model = "none"
        if extra:
            model = os.path.join(tmp, "dup-model.tsv")
            train(bindir, list(extra), model)  # corpus ideas only: no dev weight matters
        # the runs are independent: one at a time per core, answers in seed order
        runs = list(pool.map(lambda seed: run_classify(bindir, items, model, seed),
                             [0] + list(hash_seeds)))
        return runs[0], runs[1:]


def score_dup_seeds(items, seeds, runs, out, lines):
    """Pair F1 over the other hashes (runs[k] is bin/classify --hash-seed
    seeds[k]): mean, lowest and highest."""
    if not runs:
        return
    gold = pairs([it.get("dup_group") for it in items])
    f1 = []
    for got in runs:
        pred = pairs([g.get("cluster") for g in got])
        f1.append(prf(*pair_interval.counts(gold, pred))[2])
    out.update(dup_pair_f1_hash_mean=sum(f1) / len(f1), dup_pair_f1_hash_low=min(f1),
               dup_pair_f1_hash_high=max(f1))
    lines.append("near-duplicates with %d other hashes of the sketch (--hash-seed %d-%d): pair F1 "
                 "mean %.3f, %.3f-%.3f (the line above is the shipped hash)"
                 % (len(f1), min(seeds), max(seeds), sum(f1) / len(f1), min(f1), max(f1)))


def dup_corpus(bindir, dev_items, files, out, lines, debug=False):
    """--dup-corpus: near-duplicates on each training-corpus file, one
    bin/classify run per file (its dup groups are within the file) with a
    model trained on the dev set and the other files, never the file
    itself; pairs pooled over the files. Ten times the dev set, and most
    of it unseen when the concept map was written: the better guide to
    unseen ideas (see docs/classifier.md). debug (--debug-dups): each
    file's wrong clusters and missed pairs too, as for dev."""
    data = {path: load_corpus_file(path) for path in files}

    def one(path):
        with tempfile.TemporaryDirectory() as tmp:
            model = os.path.join(tmp, "model.tsv")
            train(bindir, list(dev_items) + [it for q in files if q != path for it in data[q]],
                  model)
            got = run_classify(bindir, data[path], model)
            seeded = [run_classify(bindir, data[path], model, seed) for seed in HASH_SEEDS]
        gold = pairs([it.get("dup_group") for it in data[path]])
        pred = pairs([g.get("cluster") for g in got])
        return (pair_interval.counts(gold, pred), got, gold, pred,
                [pair_interval.counts(gold, pairs([g.get("cluster") for g in s])) for s in seeded])

    total = [0, 0, 0]
    seed_total = [[0, 0, 0] for _ in HASH_SEEDS]
    file_blocks = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        for path, (c, got, gold, pred, sc) in zip(files, pool.map(one, files)):
            seed_total = [[a + b for a, b in zip(t, x)] for t, x in zip(seed_total, sc)]
            if debug:
                print("== %s" % os.path.basename(path))
                dup_debug(data[path], got, gold, pred)
            total = [a + b for a, b in zip(total, c)]
            file_blocks += pair_interval.blocks(gold, pred)
            lines.append("  %-10s pair P %.3f R %.3f F1 %.3f (%d gold pairs)"
                         % ((os.path.basename(path),) + prf(*c) + (c[0] + c[2],)))
    p, r, f = prf(*total)
    low, high = pair_interval.interval(file_blocks)
    out.update(dup_corpus_pair_precision=p, dup_corpus_pair_recall=r, dup_corpus_pair_f1=f,
               dup_corpus_pair_f1_low=low, dup_corpus_pair_f1_high=high)
    lines.append("near-duplicates, training corpus (one run per file, pairs pooled): "
                 "pair P %.3f R %.3f F1 %.3f (%d gold pairs, %d files; 95 %% interval "
                 "%.3f-%.3f over %d groups)"
                 % (p, r, f, total[0] + total[2], len(files), low, high, len(file_blocks)))
    f1 = [prf(*t)[2] for t in seed_total]
    out.update(dup_corpus_pair_f1_hash_mean=sum(f1) / len(f1), dup_corpus_pair_f1_hash_low=min(f1),
               dup_corpus_pair_f1_hash_high=max(f1))
    lines.append("near-duplicates, training corpus, with %d other hashes of the sketch "
                 "(--hash-seed %d-%d): pair F1 mean %.3f, %.3f-%.3f (the line above is the "
                 "shipped hash)" % (len(f1), min(HASH_SEEDS), max(HASH_SEEDS), sum(f1) / len(f1),
                                    min(f1), max(f1)))

def score_dups(items, got, out, lines, debug=False):
    gold = pairs([it.get("dup_group") for it in items])
    pred = pairs([g.get("cluster") for g in got])
    if debug:
        dup_debug(items, got, gold, pred)
    p, r, f, low, high, n = pair_interval.pair_scores(gold, pred)
    out.update(dup_pair_precision=p, dup_pair_recall=r, dup_pair_f1=f,
               dup_pair_f1_low=low, dup_pair_f1_high=high)
    lines.append("near-duplicates: pair P %.3f R %.3f F1 %.3f (%d gold pairs, %d predicted; "
                 "95 %% interval %.3f-%.3f over %d groups, see pair_interval.py)"
                 % (p, r, f, len(gold), len(pred), low, high, n))


prf = pair_interval.prf


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
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=6)
    ap.add_argument("--extra", default=os.path.join(ROOT, "data/nl/train"),
                    help="folder of extra labelled training ideas (*.jsonl)")
    ap.add_argument("--no-extra", action="store_true",
                    help="train the folds on dev ideas alone (no extra corpus)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--out", metavar="FILE",
                    help="also write the summary numbers (as --json prints them) to FILE, for "
                         "eval_holdout.py --cv")
    ap.add_argument("--debug-dups", action="store_true",
                    help="print wrong clusters and missed near-duplicate pairs "
                         "(with --dup-corpus, of each corpus file too)")
    ap.add_argument("--by-writer", action="store_true",
                    help="leave-one-writer-out figures (a model per corpus file and dev) "
                         "instead of the near-duplicate run")
    ap.add_argument("--suspects", action="store_true",
                    help="with --by-writer: list ideas the left-out model contradicts "
                         "with probability >= 0.9 (label noise candidates)")
    ap.add_argument("--dup-corpus", action="store_true",
                    help="also score near-duplicates on each training-corpus file (slow: a model per file)")
    args = ap.parse_args()
    items = load_jsonl(args.data)
    groups, files, copies = ([], [], 0) if args.no_extra else load_extra_groups(args.extra, items)
    extra = [it for g in groups for it in g]
    if args.folds > 1:
        how = "%d-fold cross-validation (seed %d)" % (args.folds, args.seed)
        how += (", folds trained without the extra corpus (--no-extra)" if args.no_extra else
                ", every fold also trained on %d extra ideas from %d files in %s"
                " (%d copies of dev texts left out)"
                % (len(extra), len(files), os.path.relpath(args.extra, ROOT), copies))
        # The near-duplicate run trains a model of its own, independent of
        # the folds: it runs beside them, so no core waits for the last fold.
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as side:
            dups = None if args.by_writer else side.submit(dup_run, args.bin, items, extra,
                                                           HASH_SEEDS)
            got = cross_validate(args.bin, items, args.folds, args.seed, groups)
    elif args.folds == 0:
        how = "shipped model on its own training set (NOT unseen data)"
        got, dups = run_classify(args.bin, items), None
    else:
        how = "keyword lexicons alone (INSPRAAK_MODEL_FILE=none)"
        got, dups = run_classify(args.bin, items, "none"), None
    out, lines = score(items, got)
    if args.by_writer and args.folds > 1 and not args.no_extra:
        lines = ["dev cross-validation: themes macro-F1 %.3f, sentiment %.3f, question %.3f"
                 % tuple(out[k] for k in WRITER_KEYS)]
        results = by_writer(args.bin, items, files, args.suspects)
        report_by_writer(results, out, out, lines)
        if args.suspects:
            lines.append("confident mistakes of the left-out models (label noise candidates):")
            suspects(results, lines)
        print(json.dumps(out) if args.json else "\n".join(lines))
        return
    shipped, other_hashes = dups.result() if dups else dup_run(args.bin, items, extra, HASH_SEEDS)
    score_dups(items, shipped, out, lines, args.debug_dups)
    score_dup_seeds(items, HASH_SEEDS, other_hashes, out, lines)
    if args.dup_corpus and files:
        dup_corpus(args.bin, items, files, out, lines, args.debug_dups)
    out["extra_training_ideas"] = len(extra) if args.folds > 1 else 0
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump(out, f)
    if args.json:
        print(json.dumps(out))
        return
    print("%d ideas from %s, %s" % (len(items), os.path.relpath(args.data, ROOT), how))
    print("\n".join(lines))
    print("goals (issue 6):")
    for key, goal in GOALS.items():
        print("  %-20s %.3f  goal %.2f  %s" % (key, out[key], goal,
                                              "met" if out[key] >= goal else "NOT met"))


if __name__ == "__main__":
    main()
