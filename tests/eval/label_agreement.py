#!/usr/bin/env python3
"""label_agreement - how well a second reader agrees with the writers' labels.

Usage: tests/eval/label_agreement.py [--folder DIR] [--json]

The classifier's figures are scored against one writer's labels.
tests/data/ideas/agreement/ holds second labellings of the same texts,
made by readers who saw the texts alone (not the labels, the classifier
or each other's work; see README.md there). A labelling SET-X.jsonl
carries "dup_group" (near-duplicate groups), or "sentiment" and
"question", for every idea of tests/data/ideas/SET.jsonl. This script
prints, for each, its agreement with the writer, and for two labellings
of one set and one label their agreement with each other:
  - dup_group: pair P/R/F1 with the 95 % block-bootstrap interval of
    pair_interval.py;
  - sentiment, question: accuracy (the share of ideas given the same
    value) with a 95 % bootstrap interval over the ideas, and Cohen's
    kappa (agreement beyond what the two label shares give by chance).
It says what a careful reader reaches on these sets: the ceiling the
classifier's figures are to be read against.

A labelling must list every id of its set in the set's order, each line
with the same label keys and allowed values; anything else is refused
with the file name and line number. Training files are read too:
train-W-X.jsonl is reader X's labelling of data/nl/train/W.jsonl (one
writer's file), and may label a sample of it (ids in the file's order);
the samples of one reader are also scored pooled over the writers.
"""
import argparse
import glob
import json
import os
import random
import re
import sys

import pair_interval

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MAX_LINES = 10000     # a labelled set is a few hundred ideas
VALUES = {"sentiment": ("positief", "neutraal", "negatief"), "question": ("nu", "toekomst")}
LABELS = ("dup_group", "sentiment", "question")


def s_check(path, n, key, value):
    if key == "dup_group":
        if value is not None and not isinstance(value, str):
            sys.exit("%s:%d: \"dup_group\" is neither a string nor null" % (path, n))
    elif value not in VALUES[key]:
        sys.exit("%s:%d: \"%s\" is not one of %s" % (path, n, key, ", ".join(VALUES[key])))


def load(path, ids=None, sample=False):
    """(ids, {label: [value per idea]}) of a JSON Lines file: every label
    of LABELS the first line has (all three for a writer's set, ids None).
    With ids, the file must list exactly those ids in that order (with
    sample, some of them, in that order)."""
    got_ids, keys, values = [], None, {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if n > MAX_LINES:
                sys.exit("%s: more than %d lines" % (path, MAX_LINES))
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except ValueError as e:
                sys.exit("%s:%d: not JSON (%s)" % (path, n, e))
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                sys.exit("%s:%d: no \"id\" string" % (path, n))
            mine = tuple(k for k in LABELS if k in item) if ids is not None else LABELS
            if keys is None:
                keys = mine
                if not keys:
                    sys.exit("%s:%d: none of %s" % (path, n, ", ".join(LABELS)))
                values = {k: [] for k in keys}
            elif mine != keys:
                sys.exit("%s:%d: labels %s where the first line has %s"
                         % (path, n, ", ".join(mine) or "none", ", ".join(keys)))
            for k in keys:
                if ids is not None:
                    s_check(path, n, k, item.get(k))
                values[k].append(item.get(k))
            got_ids.append(item["id"])
    if ids is not None and sample:
        where = {i: n for n, i in enumerate(ids)}
        places = [where.get(i) for i in got_ids]
        bad = next((n for n, k in enumerate(places)
                    if k is None or (n and k <= places[n - 1])), None)
        if bad is not None:
            sys.exit("%s:%d: id %s is not the next one of the labelled set's ids"
                     % (path, bad + 1, got_ids[bad]))
    elif ids is not None and got_ids != ids:
        first = next((i for i, (a, b) in enumerate(zip(got_ids, ids)) if a != b),
                     min(len(got_ids), len(ids)))
        sys.exit("%s: ids differ from the labelled set from idea %d on (%d ids, set has %d)"
                 % (path, first + 1, len(got_ids), len(ids)))
    return got_ids, values


def s_kappa(a, b):
    n = len(a)
    po = sum(x == y for x, y in zip(a, b)) / n
    pe = sum((a.count(v) / n) * (b.count(v) / n) for v in set(a) | set(b))
    return (po - pe) / (1 - pe) if pe < 1 else 1.0


def compare(name, key, reference, other):
    row = {"compare": name, "label": key}
    if key == "dup_group":
        p, r, f, low, high, n = pair_interval.pair_scores(pair_interval.pairs(reference),
                                                          pair_interval.pairs(other))
        row.update(precision=p, recall=r, f1=f, low=low, high=high, groups=n)
        return row
    same = [x == y for x, y in zip(reference, other)]
    rnd = random.Random(pair_interval.SEED)
    n = len(same)
    boot = sorted(sum(same[rnd.randrange(n)] for _ in range(n)) / n
                  for _ in range(pair_interval.REPS))
    low, high = pair_interval.bounds(boot)
    row.update(accuracy=sum(same) / n, low=low, high=high, kappa=s_kappa(reference, other),
               ideas=n)
    return row


def labelled_set(name):
    """The writer's labelled file of set name: tests/data/ideas/NAME.jsonl,
    or data/nl/train/W.jsonl for train-W (a sample may be labelled)."""
    if name.startswith("train-"):
        return os.path.join(ROOT, "data/nl/train", name[len("train-"):] + ".jsonl"), True
    return os.path.join(ROOT, "tests/data/ideas", name + ".jsonl"), False


def s_line(row):
    if row["label"] == "dup_group":
        return ("  %-44s P %.3f R %.3f F1 %.3f (%.3f-%.3f, %d groups)"
                % (row["compare"], row["precision"], row["recall"], row["f1"],
                   row["low"], row["high"], row["groups"]))
    return ("  %-44s accuracy %.3f (%.3f-%.3f), kappa %.2f, %d ideas"
            % (row["compare"], row["accuracy"], row["low"], row["high"], row["kappa"],
               row["ideas"]))


def main():
    ap = argparse.ArgumentParser(description="agreement of second readers with the writers' labels")
    ap.add_argument("--folder", default=os.path.join(ROOT, "tests/data/ideas/agreement"))
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    by_set = {}
    for path in sorted(glob.glob(os.path.join(args.folder, "*.jsonl"))):
        m = re.fullmatch(r"(.+)-([a-z0-9]+)\.jsonl", os.path.basename(path))
        if not m:
            sys.exit("%s: name is not SET-READER.jsonl" % path)
        by_set.setdefault(m.group(1), []).append((m.group(2), path))
    if not by_set:
        sys.exit("label_agreement: no SET-READER.jsonl labellings in %s" % args.folder)
    rows = []
    pooled = {}  # (reader, label) -> (writers' values, reader's values) over train-W samples
    for name, readers in sorted(by_set.items()):
        labelled, sample = labelled_set(name)
        if not os.path.isfile(labelled):
            sys.exit("%s: no labelled set %s" % (readers[0][1], labelled))
        ids, gold = load(labelled)
        where = {i: n for n, i in enumerate(ids)}
        labels = []  # (reader, its ids, its values, the writer's values of those ids)
        for reader, path in readers:
            mine, values = load(path, ids, sample)
            labels.append((reader, mine, values,
                           {k: [v[where[i]] for i in mine] for k, v in gold.items()}))
        for key in LABELS:
            have = [(reader, mine, v[key], g[key]) for reader, mine, v, g in labels if key in v]
            for reader, _, values, writer in have:
                rows.append(compare("%s: reader %s against the writer" % (name, reader),
                                    key, writer, values))
                if sample:
                    both = pooled.setdefault((reader, key), ([], []))
                    both[0].extend(writer)
                    both[1].extend(values)
            for x, (ra, ia, va, _) in enumerate(have):
                for rb, ib, vb, _ in have[x + 1:]:
                    if ia == ib:  # samples of a training file: only the same ideas compare
                        rows.append(compare("%s: reader %s against reader %s" % (name, rb, ra),
                                            key, va, vb))
    for (reader, key), (gold, values) in sorted(pooled.items()):
        rows.append(compare("train (pooled): reader %s against the writers" % reader,
                            key, gold, values))
    if args.json:
        print(json.dumps(rows))
        return
    for key, title in (("dup_group", "near-duplicates, second readers (pair F1, 95 % interval):"),
                       ("sentiment", "sentiment, second readers (95 % interval):"),
                       ("question", "question, second readers (95 % interval):")):
        mine = [row for row in rows if row["label"] == key]
        if mine:
            print(title)
            print("\n".join(s_line(row) for row in mine))


if __name__ == "__main__":
    main()
