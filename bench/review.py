"""Review workflow benchmark: label-error search (out-of-sample confident learning) on real
data, and the informative queue order's re-ranking of a full pool. Prints figures and the
machine; never fails because the machine is slow.

    .venv/bin/python bench/review.py [--rows N] [--noise 0.05]

Label errors are planted in BANKING77's train split (../shared/data, read in place): a share of
the labels is moved to another class, and the search should find them.
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
from machine import describe  # bench/machine.py (benchmarks run as scripts)

from autotriage.domain.review_queue import MAX_POOL, diverse_by_uncertainty
from autotriage.ml import label_issues
from autotriage.ml.model import default_features

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "banking77" / "train.csv"


def machine() -> str:
    return describe()


def label_error_search(rows: int, noise: float) -> None:
    frame = pd.read_csv(DATA).sample(n=min(rows, 10_003), random_state=0)
    texts, labels = frame["text"].tolist(), frame["category"].tolist()
    classes = sorted(set(labels))
    rng = random.Random(0)
    planted = set(rng.sample(range(len(labels)), int(noise * len(labels))))
    for i in planted:
        labels[i] = rng.choice([c for c in classes if c != labels[i]])
    started = time.perf_counter()
    features = default_features().fit_transform(texts)
    featurized = time.perf_counter() - started
    issues = label_issues.find_issues(features, labels)
    total = time.perf_counter() - started
    flagged = {i.index for i in issues}
    found = len(flagged & planted)
    print(f"label-error search, BANKING77 train sample: {len(labels)} labels, {len(classes)} "
          f"classes, {len(planted)} planted errors ({noise:.0%})")
    print(f"  flagged {len(flagged)}; recall of planted errors {found / len(planted):.1%}, "
          f"precision {found / max(len(flagged), 1):.1%}")
    print(f"  {total:.1f} s in all ({featurized:.1f} s TF-IDF, {total - featurized:.1f} s "
          "5-fold predicted probabilities + cleanlab)")


def queue_rerank() -> None:
    frame = pd.read_csv(DATA).head(MAX_POOL)
    features = default_features().fit(frame["text"].tolist())
    model: Any = SimpleNamespace(features=features)
    rng = random.Random(1)
    tickets = []
    for n, text in enumerate(frame["text"]):
        p = sorted((rng.random() for _ in range(3)), reverse=True)
        total = sum(p)
        fields = [SimpleNamespace(top=[["a", p[0] / total], ["b", p[1] / total]])]
        tickets.append(SimpleNamespace(id=n, subject="", body=text,
                                       prediction=SimpleNamespace(fields=fields)))
    started = time.perf_counter()
    ordered = diverse_by_uncertainty(model, tickets)
    elapsed = time.perf_counter() - started
    print(f"informative order: re-ranking a pool of {len(ordered)} tickets with near-duplicate "
          f"demotion took {elapsed * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_003)
    parser.add_argument("--noise", type=float, default=0.05)
    args = parser.parse_args()
    print(machine())
    queue_rerank()
    label_error_search(args.rows, args.noise)


if __name__ == "__main__":
    main()
