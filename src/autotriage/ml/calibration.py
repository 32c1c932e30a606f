"""Calibrating one field's class probabilities: temperature, sigmoid or isotonic.

Each method maps a probability matrix (rows: tickets, columns: classes) to another. The method of
a field is chosen on held-out folds of the calibration split by negative log-likelihood (a proper
score, so a method cannot win by being uninformative); "none" competes too, so calibration never
makes NLL worse on held-out data. Sigmoid and isotonic are fitted one-vs-rest with all classes
pooled (one map for every class), because a field may have many classes and few examples each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import minimize_scalar
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

EPS = 1e-7
METHODS = ("none", "temperature", "sigmoid", "isotonic")
ECE_BINS = 15


def _renormalize(probs: np.ndarray) -> np.ndarray:
    probs = np.clip(probs, EPS, None)
    return probs / probs.sum(axis=1, keepdims=True)


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, EPS, 1 - EPS)
    return np.log(p) - np.log1p(-p)


def _softmax_tempered(probs: np.ndarray, temperature: float) -> np.ndarray:
    scaled = np.log(np.clip(probs, EPS, None)) / temperature
    scaled -= scaled.max(axis=1, keepdims=True)
    out = np.exp(scaled)
    return out / out.sum(axis=1, keepdims=True)


@dataclass
class Calibrator:
    method: str = "none"
    temperature: float = 1.0
    platt: tuple[float, float] = (1.0, 0.0)
    isotonic: IsotonicRegression | None = field(default=None, repr=False)

    def fit(self, probs: np.ndarray, truth: np.ndarray) -> Calibrator:
        """`truth` holds the column index of each row's true class."""
        if self.method == "temperature":
            self.temperature = _fit_temperature(probs, truth)
        elif self.method == "sigmoid":
            scores, hits = _one_vs_rest(probs, truth)
            lr = LogisticRegression(C=1e4).fit(_logit(scores)[:, None], hits)
            self.platt = (float(lr.coef_[0, 0]), float(lr.intercept_[0]))
        elif self.method == "isotonic":
            scores, hits = _one_vs_rest(probs, truth)
            self.isotonic = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
            self.isotonic.fit(scores, hits)
        elif self.method != "none":
            raise ValueError(f"unknown calibration method {self.method!r}; use one of {METHODS}")
        return self

    def transform(self, probs: np.ndarray) -> np.ndarray:
        if self.method == "temperature":
            return _softmax_tempered(probs, self.temperature)
        if self.method == "sigmoid":
            a, b = self.platt
            return _renormalize(1.0 / (1.0 + np.exp(-(a * _logit(probs) + b))))
        if self.method == "isotonic" and self.isotonic is not None:
            flat = self.isotonic.predict(probs.ravel()).reshape(probs.shape)
            return _renormalize(flat)
        return probs


def _one_vs_rest(probs: np.ndarray, truth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    hits = np.zeros_like(probs, dtype=np.int8)
    hits[np.arange(len(truth)), truth] = 1
    return probs.ravel(), hits.ravel()


def _fit_temperature(probs: np.ndarray, truth: np.ndarray) -> float:
    def loss(log_t: float) -> float:
        return nll(_softmax_tempered(probs, float(np.exp(log_t))), truth)

    result = minimize_scalar(loss, bounds=(-3.0, 3.0), method="bounded")
    return float(np.exp(result.x))


def nll(probs: np.ndarray, truth: np.ndarray) -> float:
    return float(-np.mean(np.log(np.clip(probs[np.arange(len(truth)), truth], EPS, None))))


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray,
                               bins: int = ECE_BINS) -> float:
    """Top-label ECE: the gap between confidence and accuracy, averaged over equal-width bins."""
    if len(confidence) == 0:
        return 0.0
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            total += mask.sum() * abs(confidence[mask].mean() - correct[mask].mean())
    return float(total / len(confidence))


def top_label_ece(probs: np.ndarray, truth: np.ndarray) -> float:
    return expected_calibration_error(probs.max(axis=1), probs.argmax(axis=1) == truth)


def choose_calibrator(
    probs: np.ndarray, truth: np.ndarray, *, folds: int = 5, seed: int = 0
) -> tuple[Calibrator, dict[str, Any]]:
    """Pick the method with the lowest held-out NLL, fit it on all rows, report the figures.

    `ece_after` is measured on out-of-fold calibrated probabilities, so it is not flattered by
    fitting and scoring on the same rows.
    """
    folds = max(2, min(folds, len(truth) // 20))
    splitter = KFold(n_splits=folds, shuffle=True, random_state=seed)
    scores: dict[str, float] = {}
    out_of_fold: dict[str, np.ndarray] = {}
    for method in METHODS:
        calibrated = np.empty_like(probs)
        for fit_rows, held_rows in splitter.split(probs):
            calibrator = Calibrator(method).fit(probs[fit_rows], truth[fit_rows])
            calibrated[held_rows] = calibrator.transform(probs[held_rows])
        scores[method] = round(nll(calibrated, truth), 5)
        out_of_fold[method] = calibrated
    best = min(METHODS, key=lambda m: (scores[m], METHODS.index(m)))
    report = {
        "method": best,
        "held_out_nll": scores,
        "ece_before": round(top_label_ece(probs, truth), 5),
        "ece_after": round(top_label_ece(out_of_fold[best], truth), 5),
        "n_calibration": int(len(truth)),
    }
    return Calibrator(best).fit(probs, truth), report
