"""The promotion gate: is the challenger proven better than the champion on the same data?

Rules, checked in this order; the first that fails decides (and keeps the champion):
1. `gain`: mean over fields of macro-F1 improves by at least `min_gain` (a tie does not promote);
2. `significance`: a paired bootstrap over evaluation tickets (both models scored on the same
   resampled tickets) gives p = P(gain <= 0) below `alpha`;
3. `class_f1`: no class with at least `min_class_support` evaluation examples loses more than
   `max_class_drop` F1;
4. `calibration`: each field's expected calibration error is not worse by more than
   `ece_tolerance`;
5. `coverage`: each field's coverage at the target precision (the largest share of tickets,
   most confident first, whose precision reaches the target) is not lower by more than
   `coverage_tolerance`.
McNemar's exact test per field is reported alongside for reference.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy.stats import binomtest

from autotriage.ml.calibration import expected_calibration_error

RULES = ("gain", "significance", "class_f1", "calibration", "coverage")


@dataclass(frozen=True)
class GateSettings:
    min_gain: float = 0.005
    alpha: float = 0.05
    bootstrap_samples: int = 1_000
    max_class_drop: float = 0.1
    # Below this many evaluation examples one error moves a class's F1 by more than the allowed
    # drop: such classes are not checked (they still count in macro-F1).
    min_class_support: int = 20
    ece_tolerance: float = 0.01
    coverage_tolerance: float = 0.01
    target_precision: float = 0.95
    seed: int = 0


@dataclass(frozen=True)
class FieldPredictions:
    """One model's predictions for one field on the evaluation rows that have a true label."""

    rows: np.ndarray  # index of each item's ticket in the evaluation set
    truth: np.ndarray
    predicted: np.ndarray
    confidence: np.ndarray


def coverage_at_precision(confidence: np.ndarray, correct: np.ndarray, target: float) -> float:
    """The largest share of items that can be auto-routed, most confident first, with a
    precision of at least `target` among them."""
    if len(confidence) == 0:
        return 0.0
    order = np.argsort(-confidence, kind="stable")
    hits = np.cumsum(correct[order])
    precision = hits / np.arange(1, len(order) + 1)
    ok = np.flatnonzero(precision >= target)
    return float((ok[-1] + 1) / len(order)) if len(ok) else 0.0


def _class_f1(truth: np.ndarray, predicted: np.ndarray, classes: np.ndarray,
              weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-class F1 for each row of `weights` (samples x items) and which classes count
    (present in truth or predictions of that sample), as sklearn's macro average does."""
    index = {c: i for i, c in enumerate(classes)}
    t = np.array([index[v] for v in truth])
    p = np.array([index[v] for v in predicted])
    eye = np.eye(len(classes))
    true_n = weights @ eye[t]
    pred_n = weights @ eye[p]
    tp = weights @ (eye[t] * (t == p)[:, None])
    denominator = true_n + pred_n
    f1 = np.divide(2 * tp, denominator, out=np.zeros_like(tp), where=denominator > 0)
    return f1, denominator > 0


def macro_f1(truth: np.ndarray, predicted: np.ndarray, weights: np.ndarray | None = None) -> Any:
    classes = np.array(sorted(set(truth) | set(predicted)), dtype=object)
    w = np.ones((1, len(truth))) if weights is None else np.atleast_2d(weights)
    f1, present = _class_f1(truth, predicted, classes, w)
    scores = (f1 * present).sum(axis=1) / np.maximum(present.sum(axis=1), 1)
    return float(scores[0]) if weights is None or np.ndim(weights) == 1 else scores


def mcnemar(champion_correct: np.ndarray, challenger_correct: np.ndarray) -> dict[str, Any]:
    only_champion = int(np.sum(champion_correct & ~challenger_correct))
    only_challenger = int(np.sum(~champion_correct & challenger_correct))
    n = only_champion + only_challenger
    p = binomtest(min(only_champion, only_challenger), n, 0.5).pvalue if n else 1.0
    return {"only_champion_right": only_champion, "only_challenger_right": only_challenger,
            "p_value": round(float(p), 6)}


def field_figures(pred: FieldPredictions, target: float) -> dict[str, Any]:
    correct = pred.truth == pred.predicted
    classes = np.array(sorted(set(pred.truth) | set(pred.predicted)), dtype=object)
    f1, _ = _class_f1(pred.truth, pred.predicted, classes, np.ones((1, len(pred.truth))))
    support = {c: int(np.sum(pred.truth == c)) for c in classes}
    return {
        "n": int(len(pred.truth)),
        "accuracy": round(float(correct.mean()), 5) if len(correct) else 0.0,
        "macro_f1": round(macro_f1(pred.truth, pred.predicted), 5),
        "ece": round(expected_calibration_error(pred.confidence, correct), 5),
        "coverage_at_target": round(coverage_at_precision(pred.confidence, correct, target), 5),
        "per_class_f1": {str(c): round(float(f1[0, i]), 5) for i, c in enumerate(classes)},
        "support": {str(c): s for c, s in support.items()},
    }


def _bootstrap(champion: Mapping[str, FieldPredictions], challenger: Mapping[str, FieldPredictions],
               n_rows: int, settings: GateSettings) -> dict[str, Any]:
    """Resample evaluation tickets; both models are scored on the same resamples."""
    rng = np.random.default_rng(settings.seed)
    draws = rng.integers(0, n_rows, size=(settings.bootstrap_samples, n_rows))
    flat = (np.arange(settings.bootstrap_samples)[:, None] * n_rows + draws).ravel()
    counts = np.bincount(flat, minlength=settings.bootstrap_samples * n_rows).reshape(
        settings.bootstrap_samples, n_rows).astype(float)
    gains = np.zeros(settings.bootstrap_samples)
    for field, old in champion.items():
        new = challenger[field]
        weights = counts[:, old.rows]
        gains += macro_f1(new.truth, new.predicted, weights) - macro_f1(old.truth, old.predicted,
                                                                         weights)
    gains /= max(len(champion), 1)
    p_value = (1 + int(np.sum(gains <= 0))) / (settings.bootstrap_samples + 1)
    low, high = np.quantile(gains, [settings.alpha, 1 - settings.alpha])
    return {"samples": settings.bootstrap_samples, "p_value": round(p_value, 6),
            "gain_interval": [round(float(low), 5), round(float(high), 5)]}


def decide(champion: Mapping[str, FieldPredictions], challenger: Mapping[str, FieldPredictions],
           n_rows: int, settings: GateSettings) -> dict[str, Any]:
    """Figures of both models, each rule's verdict, and the decision (JSON-ready)."""
    fields = list(champion)
    old = {f: field_figures(champion[f], settings.target_precision) for f in fields}
    new = {f: field_figures(challenger[f], settings.target_precision) for f in fields}
    old_score = float(np.mean([old[f]["macro_f1"] for f in fields]))
    new_score = float(np.mean([new[f]["macro_f1"] for f in fields]))
    gain = new_score - old_score
    boot = _bootstrap(champion, challenger, n_rows, settings)
    rules = {
        "gain": _rule(gain >= settings.min_gain and gain > 0,
                      f"macro-F1 {old_score:.4f} -> {new_score:.4f} (gain {gain:+.4f}, "
                      f"needed >= {settings.min_gain:.4f})"),
        "significance": _rule(boot["p_value"] < settings.alpha,
                              f"paired bootstrap p = {boot['p_value']:.4f} "
                              f"(needed < {settings.alpha})"),
        "class_f1": _class_rule(old, new, settings),
        "calibration": _worse_rule(old, new, "ece", settings.ece_tolerance, higher_is_worse=True),
        "coverage": _worse_rule(old, new, "coverage_at_target", settings.coverage_tolerance,
                                higher_is_worse=False),
    }
    failed = [name for name in RULES if not rules[name]["passed"]]
    return {
        "promote": not failed,
        "decided_by": failed[0] if failed else "all_rules_passed",
        "rules": rules,
        "macro_f1": {"champion": round(old_score, 5), "challenger": round(new_score, 5),
                     "gain": round(gain, 5)},
        "bootstrap": boot,
        "mcnemar": {f: mcnemar(champion[f].truth == champion[f].predicted,
                               challenger[f].truth == challenger[f].predicted) for f in fields},
        "fields": {f: {"champion": old[f], "challenger": new[f]} for f in fields},
        "settings": asdict(settings),
    }


def _rule(passed: bool, detail: str) -> dict[str, Any]:
    return {"passed": bool(passed), "detail": detail}


def _class_rule(old: Mapping[str, Any], new: Mapping[str, Any],
                settings: GateSettings) -> dict[str, Any]:
    worst: tuple[float, str] = (-1.0, "")
    for field in old:
        for name, support in old[field]["support"].items():
            if support < settings.min_class_support:
                continue
            drop = old[field]["per_class_f1"].get(name, 0.0) - new[field]["per_class_f1"].get(
                name, 0.0)
            worst = max(worst, (drop, f"{field}={name}"))
    passed = worst[0] <= settings.max_class_drop
    detail = (f"largest class F1 drop {worst[0]:+.4f} ({worst[1]}), allowed "
              f"{settings.max_class_drop:.4f}") if worst[1] else "no class with enough support"
    return _rule(passed, detail)


def _worse_rule(old: Mapping[str, Any], new: Mapping[str, Any], key: str, tolerance: float,
                *, higher_is_worse: bool) -> dict[str, Any]:
    parts, passed = [], True
    for field in old:
        before, after = old[field][key], new[field][key]
        worse = (after - before) if higher_is_worse else (before - after)
        passed = passed and worse <= tolerance
        parts.append(f"{field} {before:.4f} -> {after:.4f}")
    return _rule(passed, f"{key}: " + ", ".join(parts) + f" (tolerance {tolerance})")
