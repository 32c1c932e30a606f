"""Urgency model and sentiment lexicon on the data we have.

    .venv/bin/python bench/urgency_sentiment.py

Urgency: trained on the project's demo tickets (held-out demo tickets), carried over to the
multilingual helpdesk tickets (noisy LLM priority labels), and trained in-domain on those
(5-fold cross-validation). Sentiment: no shared dataset has sentiment labels; this prints the
accuracy on the hand-labelled set of tests/test_sentiment_urgency.py and, as a proxy only, how
often Bitext "complaint" utterances read as negative against all other intents.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold

from autotriage.demo_data import generate_tickets
from autotriage.domain.sentiment import analyse
from autotriage.ml.urgency import UrgencyModel, evaluate_urgency

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from sla import machine  # noqa: E402

from tests.test_sentiment_urgency import HAND_LABELLED  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"


def line(name: str, r: dict) -> None:
    print(f"{name:44}{r['n']:>6}{r['accuracy']:>9.3f}{r['macro_f1']:>9.3f}"
          f"{r['expected_calibration_error']:>8.3f}{r['majority_baseline_accuracy']:>10.3f}")


def urgency() -> None:
    print(f"{'urgency':44}{'n':>6}{'accuracy':>9}{'macro-F1':>9}{'ECE':>8}{'majority':>10}")
    train = generate_tickets(4_000, seed=7)
    test = generate_tickets(1_000, seed=1234)
    text = lambda rows: [f"{t['subject']}\n{t['body']}" for t in rows]  # noqa: E731
    started = time.perf_counter()
    model = UrgencyModel().fit(text(train), [t["priority"] for t in train])
    fit_s = time.perf_counter() - started
    line("demo tickets (train 4,000 / test 1,000)", evaluate_urgency(
        model, text(test), [t["priority"] for t in test]))
    desk = pd.read_csv(SHARED / "multilang_tickets" / "helpdesk_customer_tickets.csv")
    desk_text = (desk["subject"].fillna("") + "\n" + desk["body"].fillna("")).tolist()
    line("helpdesk tickets, demo-trained model", evaluate_urgency(
        model, desk_text, desk["priority"].tolist()))
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    labels = desk["priority"].to_numpy()
    predictions = []
    for train_idx, test_idx in folds.split(desk_text, labels):
        fold = UrgencyModel().fit([desk_text[i] for i in train_idx], labels[train_idx])
        predictions.append(evaluate_urgency(fold, [desk_text[i] for i in test_idx],
                                            labels[test_idx]))
    mean = {k: float(np.mean([p[k] for p in predictions])) for k in predictions[0]
            if k not in ("majority_label",)}
    mean["n"] = len(desk_text)
    line("helpdesk tickets, in-domain 5-fold CV (mean)", mean)
    started = time.perf_counter()
    model.predict(text(test))
    print(f"urgency fit {fit_s:.1f} s on 4,000 tickets; predict "
          f"{len(test) / (time.perf_counter() - started):,.0f} tickets/s")


def sentiment() -> None:
    right = sum(analyse(t).label == y for t, y in HAND_LABELLED)
    print(f"sentiment, hand-labelled en/de/es/fr set: {right}/{len(HAND_LABELLED)} correct")
    bitext = pd.read_csv(SHARED / "bitext_customer_support" / "bitext_20k.csv",
                         encoding="utf-8-sig")
    started = time.perf_counter()
    labels = [analyse(u).label for u in bitext["utterance"]]
    rate = len(labels) / (time.perf_counter() - started)
    bitext["sentiment"] = labels
    complaint = bitext["intent"] == "complaint"
    for name, rows in (("complaint intent", bitext[complaint]), ("all other intents",
                                                                 bitext[~complaint])):
        shares = rows["sentiment"].value_counts(normalize=True)
        print(f"bitext {name:18} n={len(rows):>6}  negative {shares.get('negative', 0):.3f}  "
              f"neutral {shares.get('neutral', 0):.3f}  positive {shares.get('positive', 0):.3f}")
    print(f"sentiment speed: {rate:,.0f} texts/s (one thread)")


if __name__ == "__main__":
    print(f"machine: {machine()}")
    urgency()
    sentiment()
    print(f"measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; other engineers share this machine")
