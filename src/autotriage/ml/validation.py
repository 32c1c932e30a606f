"""`autotriage validate-data`: what to fix in a labelled file before training on it.

Errors make training fail or meaningless (unreadable file, missing columns, empty texts or
labels, a label column with one class); warnings are worth a look but training can go on
(classes with few examples, duplicates, one text with conflicting labels, texts shared between
training and test data, test labels the training data never has).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from autotriage.errors import DataError
from autotriage.ml import training

MAX_LINES = 10
_SPACES = re.compile(r"\s+")


def _lines(positions: Sequence[int] | np.ndarray) -> list[int]:
    # Line numbers as a person counts them in a CSV: the header is line 1.
    return [int(i) + 2 for i in list(positions)[:MAX_LINES]]


def _issue(check: str, message: str, lines: Sequence[int] = ()) -> dict[str, Any]:
    return {"check": check, "message": message, "lines": list(lines)}


def normalized_texts(frame: pd.DataFrame, text_columns: Sequence[str]) -> pd.Series:
    """Texts as duplicates are judged: case, surrounding and repeated spaces do not count."""
    texts = training.texts_of(frame, text_columns)
    return pd.Series([_SPACES.sub(" ", t).strip().lower() for t in texts], index=frame.index)


def validate_files(
    path: Path,
    text_columns: Sequence[str],
    label_columns: Sequence[str],
    *,
    test_path: Path | None = None,
    min_examples: int = 10,
) -> dict[str, Any]:
    result: dict[str, Any] = {"file": str(path), "rows": 0, "fingerprint": None,
                              "label_sets": {}, "errors": [], "warnings": []}
    frame = _load(path, text_columns, label_columns, result)
    if frame is None:
        return result
    result["rows"] = len(frame)
    result["fingerprint"] = training.fingerprint(frame, [*text_columns, *label_columns])
    texts = normalized_texts(frame, text_columns)
    _check_texts(texts, result)
    for column in label_columns:
        _check_labels(frame, column, min_examples, result)
    _check_duplicates(frame, texts, label_columns, result)
    if test_path is not None:
        _check_test(test_path, frame, texts, text_columns, label_columns, result)
    return result


def _load(path: Path, text_columns: Sequence[str], label_columns: Sequence[str],
          result: dict[str, Any]) -> pd.DataFrame | None:
    try:
        frame = training.read_table(path)
        training.check_columns(frame, path, text_columns, label_columns)
    except DataError as exc:
        result["errors"].append(_issue("schema", exc.message))
        return None
    return frame


def _check_texts(texts: pd.Series, result: dict[str, Any]) -> None:
    empty = np.flatnonzero((texts == "").to_numpy())
    if len(empty):
        result["errors"].append(_issue(
            "empty_text", f"{len(empty)} row(s) have no text; fill or drop them", _lines(empty)))


def _check_labels(frame: pd.DataFrame, column: str, min_examples: int,
                  result: dict[str, Any]) -> None:
    values = frame[column].astype("string").fillna("").str.strip()
    empty = np.flatnonzero((values == "").to_numpy())
    if len(empty):
        result["errors"].append(_issue(
            "empty_label", f"column {column!r} has {len(empty)} empty label(s); fill or drop "
            "those rows", _lines(empty)))
    counts = values[values != ""].value_counts()
    result["label_sets"][column] = {str(k): int(v) for k, v in counts.sort_index().items()}
    if len(counts) < 2:
        result["errors"].append(_issue(
            "label_set", f"column {column!r} has {len(counts)} distinct label(s); a model needs "
            "at least two"))
    tiny = counts[counts < min_examples]
    if len(tiny):
        listed = ", ".join(f"{k!r} ({v})" for k, v in tiny.items())
        result["warnings"].append(_issue(
            "tiny_classes", f"column {column!r}: {len(tiny)} class(es) with fewer than "
            f"{min_examples} examples: {listed}; such classes are rarely auto-routed"))


def _check_duplicates(frame: pd.DataFrame, texts: pd.Series, label_columns: Sequence[str],
                      result: dict[str, Any]) -> None:
    labels = frame[list(label_columns)].astype("string").fillna("")
    keyed = pd.concat([texts.rename("__text__"), labels], axis=1)
    duplicated = np.flatnonzero(keyed.duplicated().to_numpy())
    if len(duplicated):
        result["warnings"].append(_issue(
            "duplicates", f"{len(duplicated)} row(s) repeat an earlier row (same text and "
            "labels); they weigh those tickets more", _lines(duplicated)))
    for column in label_columns:
        distinct = keyed.groupby("__text__")[column].nunique()
        conflicting = set(distinct[distinct > 1].index)
        if conflicting:
            rows = np.flatnonzero(texts.isin(conflicting).to_numpy())
            result["warnings"].append(_issue(
                "conflicting_labels", f"column {column!r}: {len(conflicting)} text(s) appear "
                f"with different labels ({len(rows)} rows); decide on one label each",
                _lines(rows)))


def _check_test(test_path: Path, frame: pd.DataFrame, texts: pd.Series,
                text_columns: Sequence[str], label_columns: Sequence[str],
                result: dict[str, Any]) -> None:
    test = _load(test_path, text_columns, label_columns, result)
    if test is None:
        return
    result["test_file"] = str(test_path)
    result["test_rows"] = len(test)
    test_texts = normalized_texts(test, text_columns)
    shared = set(texts) & set(test_texts) - {""}
    if shared:
        rows = np.flatnonzero(test_texts.isin(shared).to_numpy())
        result["warnings"].append(_issue(
            "train_test_overlap", f"{len(rows)} test row(s) have a text that is also in the "
            f"training data ({test_path.name} lines shown); test figures will be optimistic",
            _lines(rows)))
    for column in label_columns:
        train_labels = set(frame[column].astype("string").fillna("").str.strip())
        unseen = sorted(set(test[column].astype("string").fillna("").str.strip())
                        - train_labels - {""})
        if unseen:
            result["warnings"].append(_issue(
                "unseen_test_labels", f"column {column!r}: test labels never seen in training: "
                f"{unseen[:MAX_LINES]}; the model cannot predict them"))


def summary_lines(result: dict[str, Any]) -> list[str]:
    lines = [f"{result['file']}: {result['rows']} rows"]
    if result.get("fingerprint"):
        lines.append(f"fingerprint: {result['fingerprint']}")
    for column, counts in result["label_sets"].items():
        if counts:
            smallest = min(counts, key=lambda k: counts[k])
            lines.append(f"labels {column}: {len(counts)} classes, smallest {smallest!r} "
                         f"({counts[smallest]}), largest {max(counts.values())}")
    if "test_file" in result:
        lines.append(f"test data {result['test_file']}: {result['test_rows']} rows")
    for level in ("errors", "warnings"):
        for item in result[level]:
            where = f" (lines {', '.join(map(str, item['lines']))})" if item["lines"] else ""
            lines.append(f"{level[:-1]}: [{item['check']}] {item['message']}{where}")
    lines.append(f"{len(result['errors'])} error(s), {len(result['warnings'])} warning(s)")
    return lines
