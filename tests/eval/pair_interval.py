"""pair_interval - how sure a near-duplicate pair F1 is.

A labelled set holds 40-100 gold near-duplicate pairs in 15-20 groups, so
one group found or missed moves pair F1 by several points. This module
gives pair P/R/F1 with a 95 % interval from a block bootstrap: the
blocks are the connected components of the gold and predicted pairs
together (a gold group with the predicted clusters that touch it), and a
bootstrap sample draws as many blocks as there are, with replacement.
Pairs within one group are not independent, so resampling pairs would
give an interval far too narrow; resampling the groups they come from
keeps that dependence. Limits: the blocks follow the predictions too, so
a classifier that chains many groups into one cluster makes one big
block and a narrower interval than it deserves (one block: width 0);
and eval_classify.py pools the blocks of several files into one list
without keeping each file's share (no strata), as its pooled figure
does. Hand-written: a few lines of union-find and
resampling, no library of the project's does this.

Used by eval_classify.py, eval_holdout.py and label_agreement.py.
"""
import random

REPS = 2000       # bootstrap samples; the interval moves < 0.005 beyond this
SEED = 1          # fixed: the same input prints the same interval


def pairs(groups):
    """The set of (i, j), i < j, of positions whose group is the same (not
    None): the near-duplicate pairs a list of group ids or clusters says."""
    by = {}
    for i, g in enumerate(groups):
        if g is not None:
            by.setdefault(g, []).append(i)
    return {(a, b) for m in by.values() for x, a in enumerate(m) for b in m[x + 1:]}


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def blocks(gold, pred):
    """[tp, fp, fn] for each connected component of the pairs gold | pred
    (sets of (a, b) index pairs)."""
    parent = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in gold | pred:
        parent[find(a)] = find(b)
    out = {}
    for pair in gold | pred:
        counts = out.setdefault(find(pair[0]), [0, 0, 0])
        counts[0 if pair in gold and pair in pred else 1 if pair in pred else 2] += 1
    return list(out.values())


def interval(block_list, reps=REPS, seed=SEED):
    """(low, high): the 2.5 and 97.5 percentiles of pair F1 over
    bootstrap samples of block_list. (0.0, 0.0) for no blocks."""
    if not block_list:
        return 0.0, 0.0
    rnd = random.Random(seed)
    n = len(block_list)
    values = []
    for _ in range(reps):
        tp = fp = fn = 0
        for _ in range(n):
            b = block_list[rnd.randrange(n)]
            tp, fp, fn = tp + b[0], fp + b[1], fn + b[2]
        values.append(prf(tp, fp, fn)[2])
    return bounds(sorted(values))


def bounds(values):
    """(low, high) of sorted values: as many values lie below low as above
    high, 2.5 % of them each (values[50] and values[1949] of 2,000; with
    values[1950] the upper end would leave one value fewer above it than
    the lower end leaves below)."""
    k = int(0.025 * len(values))
    return values[k], values[len(values) - 1 - k]


def counts(gold, pred):
    """(true, false, missed) pairs: the numbers prf() takes."""
    return len(gold & pred), len(pred - gold), len(gold - pred)


def pair_scores(gold, pred):
    """(p, r, f1, low, high, number of blocks) for two sets of pairs."""
    bl = blocks(gold, pred)
    p, r, f = prf(*counts(gold, pred))
    low, high = interval(bl)
    return p, r, f, low, high, len(bl)
