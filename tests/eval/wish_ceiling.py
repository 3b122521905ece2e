#!/usr/bin/python3
"""wish_ceiling - how much would knowing each idea's wish help near-duplicates?

Usage: tests/eval/wish_ceiling.py [--bin DIR] [--oracle] [--learned]
                                  [--accuracy] [--C C] [--t T...]

An analysis tool, run by hand (not by `make test` or `make eval`): it
needs Debian's python3-sklearn and python3-snowballstemmer, which the
project does not otherwise use. Run it with /usr/bin/python3 (Debian's).

data/nl/train/wish/*.labels.jsonl holds a reader's label of every corpus
idea's core wish: one concept of data/nl/synonyms.tsv (`bankje`,
`avondvervoer`, ...) or null (data/nl/train/wish/README.md). The sketch
finds a near-duplicate by shared keys; an idea told through its effect
("met mijn rollator kan ik nergens uitrusten") shares none with the
wish for benches. This tool measures what a known wish adds, by giving
the idea that concept as an extra key: the text gets a made-up word
("qqwbankje") that a temporary copy of synonyms.tsv maps to the
concept with the concept's weight, and bin/classify clusters as usual.

--oracle    the reader's own labels, on the corpus (one bin/classify run
            per file, one model trained on dev and the whole corpus):
            the ceiling of the idea, with perfect wishes.
--learned   a wish predicted by logistic regression over Dutch stems and
            bigrams (--chars: and letter n-grams): on dev over hash seeds
            0-8 (trained on the whole corpus), and on the corpus with the
            files' writers held out of the wish model four at a time.
--accuracy  how often that prediction equals the reader's label, writers
            held out the same way.
"""
import argparse
import concurrent.futures
import glob
import os
import re
import shutil
import sys
import tempfile
import threading

import snowballstemmer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_union

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import eval_classify as ec  # noqa: E402
import pair_interval  # noqa: E402

ROOT = ec.ROOT
LABELS = os.path.join(ROOT, "data/nl/train/wish")
MARK = "qqw"  # the made-up word's prefix: no Dutch word starts with it
WORD = re.compile(r"[a-zà-ÿ]+")

_stemmer = snowballstemmer.stemmer("dutch")
_lock = threading.Lock()  # the stemmer keeps state: one caller at a time
_cache = {}


def features(text):
    """Dutch snowball stems of the words and their bigrams."""
    with _lock:
        if text not in _cache:
            s = _stemmer.stemWords(WORD.findall(text.lower()))
            _cache[text] = s + [a + "_" + b for a, b in zip(s, s[1:])]
        return _cache[text]


def load_labels():
    lab = {}
    for path in glob.glob(os.path.join(LABELS, "*.labels.jsonl")):
        for it in ec.load_jsonl(path):
            lab[it["id"]] = it.get("wish")
    return lab


def fit(items, lab, a):
    """The wish model: logistic regression over stems and bigrams, and
    with --chars also letter 3-5-grams within words (parts of compounds:
    "rollatorpad" shares "rollator")."""
    X = [it["text"] for it in items if it["id"] in lab]
    y = [lab[it["id"]] or "-" for it in items if it["id"] in lab]
    vec = TfidfVectorizer(analyzer=features, sublinear_tf=True, min_df=2)
    if a.chars:
        vec = make_union(vec, TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5),
                                              sublinear_tf=True, min_df=2))
    return vec, LogisticRegression(C=a.C, max_iter=3000).fit(vec.fit_transform(X), y)


def writers_out(groups):
    """(held, train, test): the corpus files four at a time held out."""
    for k in range(0, len(groups), 4):
        held = set(range(k, min(k + 4, len(groups))))
        yield (held, [it for j, g in enumerate(groups) if j not in held for it in g],
               [it for j in sorted(held) for it in groups[j]])


def predict(model, items):
    """(wish or None, probability) of each idea."""
    vec, clf = model
    out = []
    for row in clf.predict_proba(vec.transform([it["text"] for it in items])):
        k = row.argmax()
        out.append((None if clf.classes_[k] == "-" else clf.classes_[k], row[k]))
    return out


def with_wish(items, wishes):
    """The ideas, each with its wish (None: none) as a made-up word."""
    return [dict(it, text=it["text"] + " " + MARK + w) if w else it for it, w in zip(items, wishes)]


def data_root():
    """A copy of data/ whose synonyms.tsv also maps MARK + concept to the
    concept, with the concept's largest weight. Returns the folder."""
    root = tempfile.mkdtemp(prefix="wish-ceiling-")
    shutil.copytree(os.path.join(ROOT, "data"), os.path.join(root, "data"),
                    ignore=shutil.ignore_patterns("model.tsv*", "train"))
    weight = {}
    with open(os.path.join(ROOT, "data/nl/synonyms.tsv"), encoding="utf-8") as f:
        for line in f:
            col = line.rstrip("\n").split("\t")
            if line.startswith("#") or len(col) < 2 or col[0] == "-":
                continue
            w = float(col[2]) if len(col) > 2 and col[2] else 1.0
            weight[col[0]] = max(weight.get(col[0], 0), w)
    with open(os.path.join(root, "data/nl/synonyms.tsv"), "a", encoding="utf-8") as f:
        for concept, w in weight.items():
            f.write("%s\t%s%s\t%g\n" % (concept, MARK, concept.lstrip("@"), w))
    return root


def counts(items, got):
    gold = ec.pairs([it.get("dup_group") for it in items])
    return pair_interval.counts(gold, ec.pairs([g.get("cluster") for g in got]))


def show(name, c):
    p, r, f = ec.prf(*c)
    print("%-44s pair P %.3f R %.3f F1 %.3f" % (name, p, r, f), flush=True)


def pooled(bindir, groups, model, variants):
    """Each variant (name, function from a file's ideas to the ideas to
    classify) over every corpus file, pair counts pooled."""
    def one(items):
        return [counts(items, ec.run_classify(bindir, fn(items), model)) for _, fn in variants]
    with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        per_file = list(pool.map(one, groups))
    for k, (name, _) in enumerate(variants):
        show(name, [sum(c[k][i] for c in per_file) for i in range(3)])


def oracle(bindir, dev, groups, lab, model):
    pooled(bindir, groups, model, [
        ("corpus, as shipped", lambda items: items),
        ("corpus, the reader's wish as a key", lambda items: with_wish(items, [lab.get(it["id"]) for it in items]))])


def learned(bindir, dev, groups, lab, models, a):
    """models: (for dev, for the corpus files)."""
    dev_model, model = models
    corpus = [it for g in groups for it in g]
    guess = predict(fit(corpus, lab, a), dev)
    seeds = range(0, 9)
    for t in [None] + a.t:
        items = dev if t is None else with_wish(dev, [w if p >= t else None for w, p in guess])
        f1 = [ec.prf(*counts(items, ec.run_classify(bindir, items, dev_model, s)))[2] for s in seeds]
        print("dev, %-39s F1 shipped hash %.3f, seeds 0-8 mean %.3f (%.3f-%.3f)"
              % ("as shipped" if t is None else "learned wish p >= %g" % t,
                 f1[0], sum(f1) / len(f1), min(f1), max(f1)), flush=True)
    total = {t: [0, 0, 0] for t in [None] + a.t}
    for held, train, _ in writers_out(groups):  # the files' writers left out of the wish model
        model_w = fit(train, lab, a)
        for k in sorted(held):
            items = groups[k]
            guess = predict(model_w, items)
            for t in total:
                run = items if t is None else with_wish(items, [w if p >= t else None for w, p in guess])
                c = counts(items, ec.run_classify(bindir, run, model))
                total[t] = [x + y for x, y in zip(total[t], c)]
    for t, c in total.items():
        show("corpus, " + ("as shipped" if t is None else "learned wish p >= %g (writers out)" % t), c)


def accuracy(groups, lab, a):
    ok = n = ok_wish = n_wish = 0
    for _, train, test in writers_out(groups):
        for it, (w, _) in zip(test, predict(fit(train, lab, a), test)):
            gold = lab.get(it["id"])
            n += 1
            ok += w == gold
            n_wish += gold is not None
            ok_wish += gold is not None and w == gold
    print("wish accuracy, writers held out: %.3f (%d ideas); on ideas the reader gave a wish: %.3f"
          % (ok / n, n, ok_wish / n_wish))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "bin"))
    ap.add_argument("--oracle", action="store_true")
    ap.add_argument("--learned", action="store_true")
    ap.add_argument("--accuracy", action="store_true")
    ap.add_argument("--C", type=float, default=10, help="inverse L2 of the wish model")
    ap.add_argument("--chars", action="store_true", help="letter n-grams too (slow: minutes a model)")
    ap.add_argument("--t", type=float, nargs="+", default=[0.3, 0.5],
                    help="least probability of a learned wish to use it")
    a = ap.parse_args()
    lab = load_labels()
    dev = ec.load_jsonl(os.path.join(ROOT, "tests/data/ideas/dev.jsonl"))
    groups, _, _ = ec.load_extra_groups(os.path.join(ROOT, "data/nl/train"), dev)
    if a.accuracy:
        accuracy(groups, lab, a)
    if not (a.oracle or a.learned):
        return
    root = data_root()
    ec.ROOT = root  # bin/classify and classify-train read INSPRAAK_DATA=ROOT/data
    try:
        with tempfile.TemporaryDirectory() as tmp:
            # The corpus runs: one model from dev and the whole corpus, so
            # both runs of a comparison use the same one (its themes and
            # question move the score a little; the comparison is what
            # counts). The dev runs: a model from the corpus alone, as
            # `make eval`'s near-duplicate run.
            model = os.path.join(tmp, "model.tsv")
            ec.train(a.bin, list(dev) + [it for g in groups for it in g], model)
            if a.oracle:
                oracle(a.bin, dev, groups, lab, model)
            if a.learned:
                corpus_model = os.path.join(tmp, "corpus-model.tsv")
                ec.train(a.bin, [it for g in groups for it in g], corpus_model)
                learned(a.bin, dev, groups, lab, (corpus_model, model), a)
    finally:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
