"""What a retrain learns from and is judged on, and when one is due.

Training data: a labelled base file plus every verified label (read afresh each time: a label is
never used up). One row per distinct ticket text (normalized: case and whitespace); a verified
label overrides the base file's value for the same text, and among labels the latest verdict
wins. Evaluation data, never trained on: a golden set (a file, or a seeded slice of the base
file) plus the most recently labelled tickets, held out by time.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from autotriage.errors import DataError
from autotriage.ml import training
from autotriage.ml.model import ticket_text
from autotriage.storage.model_repository import VerifiedLabel

TEXT = "text"
_SPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    return _SPACE.sub(" ", text).strip().casefold()


@dataclass(frozen=True)
class RetrainData:
    train: pd.DataFrame  # TEXT plus one column per field (None where a row has no label)
    golden: pd.DataFrame
    recent: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def evaluation(self) -> pd.DataFrame:
        return pd.concat([self.golden, self.recent], ignore_index=True)


def read_labelled_file(path: Path, text_columns: Sequence[str],
                       fields: Sequence[str]) -> pd.DataFrame:
    """A labelled file as TEXT + fields, checked like `autotriage train` checks it."""
    frame = training.read_table(path)
    training.check_training_table(frame, path, text_columns, fields)
    out = pd.DataFrame({TEXT: training.texts_of(frame, text_columns)})
    for name, values in training.labels_of(frame, fields).items():
        out[name] = values
    return out


def _dedupe(frame: pd.DataFrame) -> pd.DataFrame:
    keys = frame[TEXT].map(normalize)
    return frame[~keys.duplicated(keep="last")].reset_index(drop=True)


def label_rows(labels: Sequence[VerifiedLabel], fields: Sequence[str]) -> pd.DataFrame:
    """One row per distinct normalized text; per field the value of its latest label."""
    rows: dict[str, dict[str, Any]] = {}
    for label in sorted(labels, key=lambda x: x.label_id):
        text = ticket_text(label.subject, label.body)
        row = rows.setdefault(normalize(text), {TEXT: text, **{f: None for f in fields}})
        row[label.field] = label.value
        row["last_label_id"] = label.label_id
    frame = pd.DataFrame(list(rows.values()), columns=[TEXT, *fields, "last_label_id"])
    return frame.sort_values("last_label_id", kind="stable").reset_index(drop=True)


def assemble(
    base: pd.DataFrame,
    labels: Sequence[VerifiedLabel],
    fields: Sequence[str],
    *,
    golden: pd.DataFrame | None,
    golden_share: float,
    recent_share: float,
    seed: int,
) -> RetrainData:
    base = _dedupe(base)
    if golden is None:
        base, golden = training.split(base, fields[0], golden_share, seed=seed)
    golden = _dedupe(golden)
    labelled = label_rows(labels, fields)
    n_recent = math.ceil(len(labelled) * recent_share) if len(labelled) >= 2 else 0
    recent = labelled.iloc[len(labelled) - n_recent:] if n_recent else labelled.iloc[:0]
    older = labelled.iloc[: len(labelled) - n_recent]
    held_out = set(golden[TEXT].map(normalize)) | set(recent[TEXT].map(normalize))
    relabelled = set(labelled[TEXT].map(normalize))
    base_keys = base[TEXT].map(normalize)
    kept_base = base[~base_keys.isin(relabelled | held_out)]
    older = older[~older[TEXT].map(normalize).isin(held_out)]
    train = pd.concat([kept_base[[TEXT, *fields]], older[[TEXT, *fields]]], ignore_index=True)
    train = train.astype(object).where(train.notna(), None)
    data = RetrainData(
        train=train, golden=golden[[TEXT, *fields]].reset_index(drop=True),
        recent=recent[[TEXT, *fields]].reset_index(drop=True),
        summary={"base_rows": int(len(kept_base)), "labelled_tickets": int(len(labelled)),
                 "labels_in_training": int(len(older)), "train_rows": int(len(train)),
                 "golden_rows": int(len(golden)), "recent_rows": int(n_recent),
                 "labels_overriding_base": int(base_keys.isin(relabelled).sum())},
    )
    validate(data, fields)
    return data


def validate(data: RetrainData, fields: Sequence[str]) -> None:
    if data.train.empty:
        raise DataError("no training rows: give a base file (AUTOTRIAGE_RETRAIN_BASE_DATA) or "
                        "verify some labels first")
    if data.golden.empty:
        raise DataError("the golden evaluation set is empty; check AUTOTRIAGE_RETRAIN_GOLDEN_DATA")
    for name in fields:
        classes = set(data.train[name].dropna())
        if len(classes) < 2:
            raise DataError(f"field {name!r} has fewer than two distinct labels in the training "
                            f"data ({sorted(classes)}); add labelled examples of other classes")


# --- triggers ---


@dataclass(frozen=True)
class TriggerPolicy:
    every_labels: int  # 0: off
    interval_hours: float  # 0: off
    daily_at: str  # "HH:MM" UTC, "": off


def last_daily_time(now: datetime, daily_at: str) -> datetime:
    hours, minutes = (int(p) for p in daily_at.split(":"))
    today = now.astimezone(UTC).replace(hour=hours, minute=minutes, second=0, microsecond=0)
    return today if today <= now else today - timedelta(days=1)


def due_trigger(policy: TriggerPolicy, *, now: datetime, new_labels: int,
                last_retrain: datetime) -> str | None:
    """Why a retrain is due now (labels, schedule), or None. `last_retrain` is the start of the
    last retrain, or when this process began watching if there was none."""
    if policy.every_labels and new_labels >= policy.every_labels:
        return "labels"
    if policy.interval_hours and now - last_retrain >= timedelta(hours=policy.interval_hours):
        return "schedule"
    if policy.daily_at and last_retrain < last_daily_time(now, policy.daily_at):
        return "schedule"
    return None
