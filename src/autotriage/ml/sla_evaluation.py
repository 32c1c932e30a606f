"""Resolution-time data (the ServiceNow incident event log or a plain table), a time-ordered
split, and the figures: MAE, pinball loss at 0.5 and 0.9, p90 coverage, against per-priority
baselines."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from autotriage.errors import DataError
from autotriage.ml.sla import SlaModel

# Incident-log columns known when an incident is opened, under the names tickets use.
# impact and urgency are left out: priority is a fixed function of them.
INCIDENT_FEATURES = {
    "priority": "priority", "category": "category", "subcategory": "subcategory",
    "contact_type": "channel", "assignment_group": "queue", "u_symptom": "symptom",
    "location": "location",
}
DEFAULT_FEATURES = ("priority", "category", "subcategory", "channel", "queue", "symptom")
_LOG_TIME = "%d/%m/%Y %H:%M"


def read_incident_log(path: Path, *, limit: int | None = None) -> pd.DataFrame:
    """One row per incident: the fields of its first event (what was known at opening) and its
    last resolution time. Incidents without one, or resolved before opening, are dropped."""
    try:
        events = pd.read_csv(path, na_values=["?"], keep_default_na=False, low_memory=False,
                             usecols=["number", "sys_mod_count", "opened_at", "resolved_at",
                                      *INCIDENT_FEATURES])
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: not an incident event log ({exc})") from exc
    events = events.sort_values(["number", "sys_mod_count"], kind="stable")
    grouped = events.groupby("number", sort=False)
    first = grouped.first()
    incidents = first[list(INCIDENT_FEATURES)].rename(columns=INCIDENT_FEATURES)
    incidents["opened_at"] = pd.to_datetime(first["opened_at"], format=_LOG_TIME)
    incidents["resolved_at"] = pd.to_datetime(grouped["resolved_at"].last(), format=_LOG_TIME)
    incidents = incidents.reset_index()
    return _with_hours(incidents, limit)


def read_resolution_table(path: Path, *, limit: int | None = None) -> pd.DataFrame:
    """A CSV/JSONL/Parquet with `opened_at` and `resolved_at`, or the incident event log."""
    from autotriage.ml.training import read_table

    if path.name.startswith("incident_event_log"):
        return read_incident_log(path, limit=limit)
    frame = read_table(path)
    missing = [c for c in ("opened_at", "resolved_at") if c not in frame]
    if missing:
        raise DataError(f"{path}: missing column(s) {missing}; resolution data needs opened_at "
                        "and resolved_at (ISO 8601 times)")
    for column in ("opened_at", "resolved_at"):
        frame[column] = pd.to_datetime(frame[column], errors="coerce", utc=True)
    return _with_hours(frame, limit)


def _with_hours(frame: pd.DataFrame, limit: int | None) -> pd.DataFrame:
    hours = (frame["resolved_at"] - frame["opened_at"]).dt.total_seconds() / 3600
    frame = frame.assign(resolution_hours=hours)
    frame = frame[frame["resolution_hours"].notna() & (frame["resolution_hours"] >= 0)]
    frame = frame.sort_values("opened_at", kind="stable").reset_index(drop=True)
    if limit is not None:
        frame = frame.iloc[:limit]
    if len(frame) < 50:
        raise DataError(f"only {len(frame)} resolved tickets with opened_at <= resolved_at; "
                        "need at least 50")
    return frame


def time_split(frame: pd.DataFrame, test_size: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Train on the earlier tickets, test on the later ones (as the model will be used)."""
    ordered = frame.sort_values("opened_at", kind="stable")
    cut = int(len(ordered) * (1 - test_size))
    return ordered.iloc[:cut], ordered.iloc[cut:]


def pinball(y: np.ndarray, predicted: np.ndarray, q: float) -> float:
    diff = y - predicted
    return float(np.mean(np.maximum(q * diff, (q - 1) * diff)))


def figures(y: np.ndarray, p50: np.ndarray, p90: np.ndarray) -> dict[str, float]:
    return {
        "mae_hours": round(float(np.mean(np.abs(y - p50))), 2),
        "median_ae_hours": round(float(np.median(np.abs(y - p50))), 2),
        "pinball_50": round(pinball(y, p50, 0.5), 2),
        "pinball_90": round(pinball(y, p90, 0.9), 2),
        "p90_coverage": round(float(np.mean(y <= p90)), 4),
        "p50_coverage": round(float(np.mean(y <= p50)), 4),
    }


def per_priority_baseline(train: pd.DataFrame, test: pd.DataFrame, q: float) -> np.ndarray:
    by_priority = train.groupby("priority", dropna=False)["resolution_hours"].quantile(q)
    overall = float(train["resolution_hours"].quantile(q))
    return test["priority"].map(by_priority).fillna(overall).to_numpy(dtype=float)


def evaluate(model: SlaModel, train: pd.DataFrame, test: pd.DataFrame) -> dict[str, Any]:
    """The model against "median per priority" (p50 and p90 both the median, as that baseline
    gives one number) and against per-priority p50/p90 quantiles."""
    y = test["resolution_hours"].to_numpy(dtype=float)
    p50, p90 = model.predict_frame(test)
    median = per_priority_baseline(train, test, 0.5)
    return {
        "n_train": len(train),
        "n_test": len(test),
        "test_opened_from": str(test["opened_at"].min()),
        "model": figures(y, p50, p90),
        "baseline_median_per_priority": figures(y, median, median),
        "baseline_quantiles_per_priority": figures(y, median,
                                                   per_priority_baseline(train, test, 0.9)),
    }


def train_and_evaluate(frame: pd.DataFrame, features: Sequence[str], test_size: float,
                       ) -> tuple[SlaModel, dict[str, Any]]:
    unknown = [f for f in features if f not in frame]
    if unknown:
        raise DataError(f"feature column(s) {unknown} are not in the data; it has "
                        f"{sorted(c for c in frame.columns if c not in ('resolution_hours',))}")
    if "priority" not in frame:
        raise DataError("the baselines need a `priority` column")
    train, test = time_split(frame, test_size)
    model = SlaModel(features).fit(train)
    return model, evaluate(model, train, test)
