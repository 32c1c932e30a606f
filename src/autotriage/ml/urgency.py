"""Urgency model: priority labels learned from urgency cues, with calibrated confidence.

A small logistic regression over the cue vector of domain/urgency.py, wrapped in sigmoid
calibration (cross-validated), so "high, 0.8" means high about 80% of the time on data like the
training data. It is stored beside the triage models and is optional at serving time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from autotriage.domain.urgency import CUE_NAMES, UrgencyCues, urgency_cues
from autotriage.ml import artifacts
from autotriage.ml.model import library_versions

MODEL_FILE = "urgency.joblib"
INFO_FILE = "urgency.json"


@dataclass(frozen=True)
class Urgency:
    level: str
    confidence: float
    probabilities: dict[str, float]
    evidence: list[str]


def cue_matrix(cues: Sequence[UrgencyCues]) -> np.ndarray:
    return np.array([c.values for c in cues], dtype=np.float64).reshape(
        len(cues), len(CUE_NAMES)
    )


class UrgencyModel:
    def __init__(self) -> None:
        self.classifier: Any = None
        self.info: dict[str, Any] = {}

    @property
    def levels(self) -> list[str]:
        return [str(c) for c in self.classifier.classes_]

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> UrgencyModel:
        values = [str(v).strip().lower() for v in labels]
        if len(set(values)) < 2:
            raise ValueError("urgency needs at least two distinct priority labels to learn from")
        base = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000))
        folds = max(2, min(5, min(values.count(v) for v in set(values))))
        self.classifier = CalibratedClassifierCV(base, method="sigmoid", cv=folds)
        self.classifier.fit(cue_matrix([urgency_cues(t) for t in texts]), values)
        self.info = {
            "trained_at": datetime.now(UTC).isoformat(),
            "levels": self.levels,
            "n_train": len(values),
            "cues": list(CUE_NAMES),
            "libraries": library_versions(),
        }
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return self._proba([urgency_cues(t) for t in texts])

    def _proba(self, cues: Sequence[UrgencyCues]) -> np.ndarray:
        result: np.ndarray = self.classifier.predict_proba(cue_matrix(cues))
        return result

    def predict(self, texts: Sequence[str]) -> list[Urgency]:
        cues = [urgency_cues(t) for t in texts]
        probabilities = self._proba(cues)
        levels = self.levels
        out = []
        for cue, row in zip(cues, probabilities, strict=True):
            best = int(np.argmax(row))
            out.append(Urgency(
                level=levels[best],
                confidence=round(float(row[best]), 4),
                probabilities={lv: round(float(p), 4) for lv, p in zip(levels, row, strict=True)},
                evidence=list(cue.evidence),
            ))
        return out

    def save(self, directory: Path) -> Path:
        return artifacts.save(self, self.info, directory, MODEL_FILE, INFO_FILE)

    @staticmethod
    def load(directory: Path) -> UrgencyModel | None:
        """The stored model, or None when there is none (urgency is then not estimated)."""
        return artifacts.load_optional(directory, MODEL_FILE, UrgencyModel)


def evaluate_urgency(model: UrgencyModel, texts: Sequence[str], labels: Sequence[str],
                     bins: int = 10) -> dict[str, Any]:
    """Accuracy, macro-F1, expected calibration error of the top confidence, and the
    majority-class baseline, on labelled texts."""
    from sklearn.metrics import accuracy_score, f1_score

    truth = np.array([str(v).strip().lower() for v in labels])
    probabilities = model.predict_proba(texts)
    levels = np.array(model.levels)
    predicted = levels[probabilities.argmax(axis=1)]
    confidence = probabilities.max(axis=1)
    correct = predicted == truth
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    ece = sum(abs(correct[which == b].mean() - confidence[which == b].mean()) * (which == b).mean()
              for b in range(bins) if (which == b).any())
    values, counts = np.unique(truth, return_counts=True)
    return {
        "n": len(truth),
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "macro_f1": round(float(f1_score(truth, predicted, average="macro")), 4),
        "expected_calibration_error": round(float(ece), 4),
        "mean_confidence": round(float(confidence.mean()), 4),
        "majority_baseline_accuracy": round(float(counts.max() / counts.sum()), 4),
        "majority_label": str(values[counts.argmax()]),
    }
