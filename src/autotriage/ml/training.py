"""Read a labelled table, check it, train a TriageModel, evaluate it, write the report."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from autotriage.errors import DataError
from autotriage.ml import drift
from autotriage.ml.evaluation import evaluate_fields
from autotriage.ml.model import MAX_FEATURE_CHARS, TrainingOptions, TriageModel

SUFFIXES = (".csv", ".csv.gz", ".jsonl", ".json", ".parquet")
Step = Callable[[str], None]


def read_table(path: Path) -> pd.DataFrame:
    name = path.name.lower()
    if not path.exists():
        raise DataError(f"{path}: no such file")
    try:
        if name.endswith((".csv", ".csv.gz")):
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        elif name.endswith((".jsonl", ".json")):
            frame = pd.read_json(path, lines=name.endswith(".jsonl"), dtype=False)
        elif name.endswith(".parquet"):
            frame = pd.read_parquet(path)
        else:
            raise DataError(f"{path}: unknown file type; use one of {', '.join(SUFFIXES)}")
    except DataError:
        raise
    except (ValueError, OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise DataError(f"{path}: cannot be read as {path.suffix} ({exc})") from exc
    if frame.empty:
        raise DataError(f"{path}: has no rows")
    return frame


def check_columns(
    frame: pd.DataFrame, path: Path, text_columns: Sequence[str], label_columns: Sequence[str]
) -> None:
    missing = [c for c in [*text_columns, *label_columns] if c not in frame.columns]
    if missing:
        raise DataError(
            f"{path}: missing column(s) {missing}; the file has {list(map(str, frame.columns))}. "
            "Name the right ones with --text-columns / --label-columns"
        )


def _rows(mask: pd.Series) -> str:
    # Row numbers as a person counts them in the file: header is line 1, first data row line 2.
    lines = [str(i + 2) for i in np.flatnonzero(mask.to_numpy())[:10]]
    more = " ..." if int(mask.sum()) > 10 else ""
    return ", ".join(lines) + more


def check_training_table(
    frame: pd.DataFrame, path: Path, text_columns: Sequence[str], label_columns: Sequence[str]
) -> None:
    check_columns(frame, path, text_columns, label_columns)
    text = texts_of(frame, text_columns)
    empty_text = pd.Series([not t.strip() for t in text])
    if empty_text.any():
        raise DataError(
            f"{path}: {int(empty_text.sum())} row(s) have no text in {list(text_columns)} "
            f"(lines {_rows(empty_text)}); fill or drop them"
        )
    for column in label_columns:
        values = frame[column].astype("string").fillna("").str.strip()
        empty = values == ""
        if empty.any():
            raise DataError(
                f"{path}: column {column!r} has {int(empty.sum())} empty label(s) "
                f"(lines {_rows(empty)}); fill or drop those rows"
            )
        if values.nunique() < 2:
            raise DataError(f"{path}: column {column!r} has fewer than two distinct labels")


def texts_of(frame: pd.DataFrame, text_columns: Sequence[str]) -> list[str]:
    parts = [frame[c].astype("string").fillna("") for c in text_columns]
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + "\n" + part
    return [t[:MAX_FEATURE_CHARS] for t in joined.tolist()]


def labels_of(frame: pd.DataFrame, label_columns: Sequence[str]) -> dict[str, list[str]]:
    return {c: frame[c].astype("string").fillna("").str.strip().tolist() for c in label_columns}


def fingerprint(frame: pd.DataFrame, columns: Sequence[str]) -> str:
    hashed = pd.util.hash_pandas_object(frame[list(columns)].astype("string"), index=False)
    return "sha256:" + hashlib.sha256(hashed.to_numpy().tobytes()).hexdigest()


def split(
    frame: pd.DataFrame, label_column: str, test_size: float, seed: int = 42
) -> tuple[pd.DataFrame, pd.DataFrame]:
    if not 0 < test_size < 1:
        raise DataError(f"test size must be between 0 and 1, got {test_size}")
    counts = frame[label_column].value_counts()
    stratify = frame[label_column] if counts.min() >= 2 else None
    train, test = train_test_split(frame, test_size=test_size, random_state=seed,
                                   stratify=stratify)
    return train.reset_index(drop=True), test.reset_index(drop=True)


def evaluate(
    model: TriageModel, frame: pd.DataFrame, text_columns: Sequence[str],
    label_columns: Sequence[str], *, plots: bool = False,
) -> tuple[dict[str, dict[str, Any]], dict[str, bytes]]:
    """Per-field figures (see ml/evaluation.py) and, with `plots`, PNG files by name."""
    fields = [c for c in label_columns if c in model.fields]
    if not fields:
        raise DataError(
            f"none of the label columns {list(label_columns)} is a field of the model "
            f"({list(model.fields)})"
        )
    truth = {f: frame[f].astype("string").fillna("").str.strip().tolist() for f in fields}
    return evaluate_fields(model, texts_of(frame, text_columns), truth, plots=plots)


def train_and_evaluate(
    train: pd.DataFrame,
    test: pd.DataFrame,
    text_columns: Sequence[str],
    label_columns: Sequence[str],
    *,
    step: Step = lambda _msg: None,
    options: TrainingOptions | None = None,
) -> tuple[TriageModel, dict[str, Any]]:
    """Train and evaluate; the report's `plots` (PNG bytes) are written by `write_report`."""
    step(f"training on {len(train)} rows")
    started = time.perf_counter()
    model = TriageModel(label_columns, options).fit(
        texts_of(train, text_columns),
        labels_of(train, label_columns),
        data_fingerprint=fingerprint(train, [*text_columns, *label_columns]),
    )
    train_seconds = time.perf_counter() - started
    step(f"evaluating on {len(test)} rows")
    fields, plots = evaluate(model, test, text_columns, label_columns, plots=True)
    # Drift reference (issue 7): pickled with the model, so every way of storing it keeps it.
    drift.attach_reference(model, drift.reference_profile(
        model, texts_of(train, text_columns), held_out=texts_of(test, text_columns)))
    report = {
        "fields": fields,
        "plots": plots,
        "calibration": model.info.get("calibration", {}),
        "guarantee": model.info.get("guarantee", {}),
        "train_seconds": round(train_seconds, 3),
        "model_version": model.version,
        "n_train": len(train),
        "data_fingerprint": model.info["data_fingerprint"],
    }
    return model, report


def write_report(report: dict[str, Any], output: Path) -> Path:
    """Write report.json, and the PNG plots it names (its `plots` entry) next to it."""
    output.mkdir(parents=True, exist_ok=True)
    figures = {k: v for k, v in report.items() if k != "plots"}
    for name, png in (report.get("plots") or {}).items():
        (output / name).write_bytes(png)
    path = output / "report.json"
    path.write_text(json.dumps(figures, indent=2, sort_keys=True))
    return path
