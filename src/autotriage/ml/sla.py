"""Resolution-time prediction: p50 and p90 hours from ticket features, by quantile regression.

Two gradient-boosted quantile regressors (sklearn HistGradientBoostingRegressor, loss="quantile")
fit log1p(hours): quantiles survive a monotone transform, and on the log scale the heavy tail
(median 22 h, p95 710 h in the incident log) no longer dominates the splits. Features are the
categorical ticket fields named at training (priority, category, channel, ...) plus the hour and
weekday the ticket was opened. A category never seen in training counts as missing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.preprocessing import OrdinalEncoder
from threadpoolctl import ThreadpoolController

from autotriage.ml import artifacts
from autotriage.ml.model import library_versions

MODEL_FILE = "sla.joblib"
INFO_FILE = "sla.json"
TIME_FEATURES = ("hour", "weekday")
QUANTILES = (0.5, 0.9)
# HistGradientBoosting handles at most 255 categories per feature; rarer ones share a code.
MAX_CATEGORIES = 250


_controller: ThreadpoolController | None = None


def _one_thread() -> Any:
    """Limit OpenMP/BLAS to one thread. The controller is built once: building it scans the
    loaded libraries, which costs more than a small prediction."""
    global _controller
    if _controller is None:
        _controller = ThreadpoolController()
    return _controller.limit(limits=1)


@dataclass(frozen=True)
class SlaEstimate:
    p50_hours: float
    p90_hours: float
    target_hours: float | None
    breach_risk: bool | None

    def as_dict(self) -> dict[str, Any]:
        return {"p50_hours": self.p50_hours, "p90_hours": self.p90_hours,
                "target_hours": self.target_hours, "breach_risk": self.breach_risk}


def time_features(opened: pd.Series) -> pd.DataFrame:
    return pd.DataFrame({"hour": opened.dt.hour.astype(float),
                         "weekday": opened.dt.day_of_week.astype(float)}, index=opened.index)


class SlaModel:
    def __init__(self, categorical: Sequence[str], *, max_iter: int = 300) -> None:
        if not categorical:
            raise ValueError("name at least one categorical feature (e.g. priority)")
        self.categorical = tuple(categorical)
        self.max_iter = max_iter
        self.encoder = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan,
                                      encoded_missing_value=np.nan, max_categories=MAX_CATEGORIES)
        self.regressors: dict[float, HistGradientBoostingRegressor] = {}
        self.info: dict[str, Any] = {}

    def _matrix(self, frame: pd.DataFrame, *, fit: bool = False) -> np.ndarray:
        cats = pd.DataFrame({c: frame[c].astype("string").fillna("?").astype(object)
                             if c in frame else "?" for c in self.categorical}, index=frame.index)
        coded = self.encoder.fit_transform(cats) if fit else self.encoder.transform(cats)
        return np.hstack([coded, time_features(frame["opened_at"]).to_numpy()])

    def fit(self, frame: pd.DataFrame) -> SlaModel:
        """`frame` has the categorical columns, `opened_at` (datetime) and `resolution_hours`."""
        matrix = self._matrix(frame, fit=True)
        target = np.log1p(frame["resolution_hours"].to_numpy(dtype=float))
        mask = [True] * len(self.categorical) + [False] * len(TIME_FEATURES)
        with _one_thread():  # OpenMP threads cost more than they save at this size
            for q in QUANTILES:
                self.regressors[q] = HistGradientBoostingRegressor(
                    loss="quantile", quantile=q, categorical_features=mask,
                    max_iter=self.max_iter, learning_rate=0.1, early_stopping=False,
                    random_state=0,
                ).fit(matrix, target)
        self.info = {
            "trained_at": datetime.now(UTC).isoformat(),
            "features": [*self.categorical, *TIME_FEATURES],
            "n_train": len(frame),
            "opened_from": str(frame["opened_at"].min()),
            "opened_to": str(frame["opened_at"].max()),
            "libraries": library_versions(),
        }
        return self

    def predict_frame(self, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        matrix = self._matrix(frame)
        # One thread: the worker predicts small batches, where starting OpenMP threads dominates.
        with _one_thread():
            p50 = np.expm1(self.regressors[0.5].predict(matrix)).clip(min=0)
            high = np.expm1(self.regressors[0.9].predict(matrix)).clip(min=0)
        # Two separately fit quantiles can cross; p90 below p50 would be nonsense to show.
        p90 = np.maximum(high, p50)
        return p50, p90

    def estimate(self, rows: Sequence[Mapping[str, Any]], opened: Sequence[datetime],
                 targets: Sequence[float | None]) -> list[SlaEstimate]:
        """One estimate per ticket; `rows` are its fields (predicted labels, channel, ...)."""
        frame = pd.DataFrame([{c: row.get(c) for c in self.categorical} for row in rows])
        frame["opened_at"] = pd.to_datetime(pd.Series(list(opened)), utc=True)
        p50, p90 = self.predict_frame(frame)
        return [
            SlaEstimate(round(float(a), 2), round(float(b), 2), target,
                        None if target is None else bool(b > target))
            for a, b, target in zip(p50, p90, targets, strict=True)
        ]

    def save(self, directory: Path) -> Path:
        return artifacts.save(self, self.info, directory, MODEL_FILE, INFO_FILE)

    @staticmethod
    def load(directory: Path) -> SlaModel | None:
        """The stored model, or None when none was trained (SLA fields are then left out)."""
        return artifacts.load_optional(directory, MODEL_FILE, SlaModel)
