#!/usr/bin/env python3
"""dup_agreement - how well a second reader finds the near-duplicate groups.

Usage: tests/eval/dup_agreement.py [--folder DIR] [--json]

The near-duplicate goal (pair F1 0.75) is scored against one writer's
dup_group labels. tests/data/ideas/agreement/ holds second labellings of
the same texts, made by readers who saw the texts alone (not the labels,
the classifier or each other's work; see README.md there). This script
prints, for each labelling SET-X.jsonl, its pair P/R/F1 against the
writer's labels in tests/data/ideas/SET.jsonl, and for two labellings of
one set their agreement with each other, each with the 95 % interval of
pair_interval.py. It says what a careful reader reaches on these sets:
the ceiling the classifier's figure is to be read against.

A labelling must list every id of its set in the set's order, each with
"dup_group" (a string or null); anything else is refused with the line
number.
"""
import argparse
import glob
import json
import os
import re
import sys

import pair_interval

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MAX_LINES = 10000     # a labelled set is a few hundred ideas


def groups_of(path, ids=None):
    """(ids, dup_groups) of a JSON Lines file; with ids, the file must list
    exactly those ids in that order."""
    got_ids, groups = [], []
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
            group = item.get("dup_group")
            if group is not None and not isinstance(group, str):
                sys.exit("%s:%d: \"dup_group\" is neither a string nor null" % (path, n))
            got_ids.append(item["id"])
            groups.append(group)
    if ids is not None and got_ids != ids:
        first = next((i for i, (a, b) in enumerate(zip(got_ids, ids)) if a != b),
                     min(len(got_ids), len(ids)))
        sys.exit("%s: ids differ from the labelled set from idea %d on (%d ids, set has %d)"
                 % (path, first + 1, len(got_ids), len(ids)))
    return got_ids, groups


def compare(name, reference, other):
    p, r, f, low, high, n = pair_interval.pair_scores(pair_interval.pairs(reference),
                                                      pair_interval.pairs(other))
    return {"compare": name, "precision": p, "recall": r, "f1": f,
            "f1_low": low, "f1_high": high, "groups": n}


def main():
    ap = argparse.ArgumentParser(description="agreement of second readers on near-duplicate groups")
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
        sys.exit("dup_agreement: no SET-READER.jsonl labellings in %s" % args.folder)
    rows = []
    for name, readers in sorted(by_set.items()):
        labelled = os.path.join(ROOT, "tests/data/ideas", name + ".jsonl")
        if not os.path.isfile(labelled):
            sys.exit("%s: no labelled set %s" % (readers[0][1], labelled))
        ids, gold = groups_of(labelled)
        labels = [(reader, groups_of(path, ids)[1]) for reader, path in readers]
        for reader, groups in labels:
            rows.append(compare("%s: reader %s against the writer" % (name, reader), gold, groups))
        for x, (ra, ga) in enumerate(labels):
            for rb, gb in labels[x + 1:]:
                rows.append(compare("%s: reader %s against reader %s" % (name, rb, ra), ga, gb))
    if args.json:
        print(json.dumps(rows))
        return
    print("near-duplicates, second readers (pair F1 of the second labelling, 95 % interval):")
    for row in rows:
        print("  %-42s P %.3f R %.3f F1 %.3f (%.3f-%.3f, %d groups)"
              % (row["compare"], row["precision"], row["recall"], row["f1"],
                 row["f1_low"], row["f1_high"], row["groups"]))


if __name__ == "__main__":
    main()
