"""Confidence thresholds with a precision guarantee (Learn-Then-Test, fixed-sequence testing).

For one field, a threshold `t` auto-routes the predictions whose confidence is at least `t`. We
want the precision of those predictions to be at least `target` with probability 1 - `delta`
over the draw of the calibration data. Learn-Then-Test (Angelopoulos et al., 2021) turns that
into hypothesis tests: for each candidate `t`, H0(t) says "the error rate of predictions with
confidence >= t exceeds 1 - target"; the exact binomial p-value of the observed errors rejects
it. Candidates are tested from the most to the least confident, and testing stops at the first
one that cannot be rejected (fixed-sequence testing needs no multiplicity correction). The lowest
rejected candidate is the threshold; when none is rejected there is no threshold and the
predictions are never auto-routed.

Per class: a class with enough calibration predictions is tested on its own; the other classes
are tested pooled. All groups share the risk budget (Bonferroni, delta / groups), so with
probability 1 - delta every group meets the target at once, and so does the field as a whole
(a mix of groups that each reach the target reaches it too). A pooled class whose calibration
precision is significantly below the target is never auto-routed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.stats import binom

# Candidate thresholds tested per group; finer grids gain little and cost time.
MAX_STEPS = 200


def min_sample_size(target: float, delta: float) -> int:
    """The fewest predictions that can prove the target at all (every one of them right)."""
    return math.ceil(math.log(delta) / math.log(target))


def precision_pvalue(errors: int, n: int, target: float) -> float:
    """p-value of H0 "precision < target" after `errors` wrong out of `n` (exact binomial)."""
    return float(binom.cdf(errors, n, 1.0 - target))


def ltt_threshold(
    confidence: np.ndarray, correct: np.ndarray, target: float, delta: float
) -> float | None:
    """The lowest confidence threshold whose precision >= target is proven at level delta."""
    if len(confidence) == 0:
        return None
    order = np.argsort(-confidence, kind="stable")
    conf = confidence[order]
    errors = np.cumsum(~correct[order])
    # Candidate k is "threshold = conf[k]": it takes every prediction at least that confident,
    # so ties are taken together (the last index of each run of equal values).
    last_of_run = np.flatnonzero(np.r_[conf[1:] != conf[:-1], True])
    sizes = last_of_run + 1
    candidates = last_of_run[sizes >= min_sample_size(target, delta)]
    if len(candidates) > MAX_STEPS:
        candidates = candidates[np.linspace(0, len(candidates) - 1, MAX_STEPS).astype(int)]
    chosen: float | None = None
    for index in candidates:
        if precision_pvalue(int(errors[index]), int(index + 1), target) > delta:
            break
        chosen = float(conf[index])
    return chosen


def significantly_below(errors: int, n: int, target: float, delta: float) -> bool:
    """True when `errors` of `n` show at level delta that precision is under the target."""
    return n > 0 and float(binom.sf(errors - 1, n, 1.0 - target)) <= delta


def choose_thresholds(
    confidence: np.ndarray,
    predicted: Sequence[str],
    correct: np.ndarray,
    classes: Sequence[str],
    *,
    target: float,
    delta: float,
    min_class_size: int,
) -> dict[str, Any]:
    """Per-class thresholds (None: never auto-route) for one field, JSON-ready."""
    predicted_arr = np.asarray(predicted, dtype=object)
    counts = {c: int(np.sum(predicted_arr == c)) for c in classes}
    own = [c for c in classes if counts[c] >= min_class_size]
    pooled = [c for c in classes if c not in own]
    groups = len(own) + (1 if pooled else 0)
    level = delta / max(groups, 1)
    thresholds: dict[str, float | None] = {}
    for name in own:
        mask = predicted_arr == name
        thresholds[name] = ltt_threshold(confidence[mask], correct[mask], target, level)
    pooled_threshold: float | None = None
    if pooled:
        mask = np.isin(predicted_arr, pooled)
        pooled_threshold = ltt_threshold(confidence[mask], correct[mask], target, level)
        for name in pooled:
            thresholds[name] = _pooled_class_threshold(
                pooled_threshold, confidence, predicted_arr == name, correct, target, level
            )
    return {
        "target_precision": target,
        "delta": delta,
        "n_calibration": int(len(confidence)),
        "own_classes": own,
        "pooled_threshold": pooled_threshold,
        "classes": thresholds,
    }


def _pooled_class_threshold(
    pooled: float | None,
    confidence: np.ndarray,
    mask: np.ndarray,
    correct: np.ndarray,
    target: float,
    delta: float,
) -> float | None:
    if pooled is None:
        return None
    routed = mask & (confidence >= pooled)
    errors = int(np.sum(routed & ~correct))
    if significantly_below(errors, int(routed.sum()), target, delta):
        return None
    return pooled
