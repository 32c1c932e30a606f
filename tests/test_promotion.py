"""The promotion gate's rules on predictions whose figures are known by construction."""

from __future__ import annotations

import numpy as np

from autotriage.ml.promotion import (
    FieldPredictions,
    GateSettings,
    coverage_at_precision,
    decide,
    macro_f1,
)

RNG = np.random.default_rng(3)
CLASSES = np.array(["a", "b", "c", "d"], dtype=object)
N = 400
TRUTH = CLASSES[RNG.integers(0, 4, N)]
SETTINGS = GateSettings(bootstrap_samples=300, target_precision=0.9, seed=1)


def preds(accuracy: float, *, seed: int, confidence: float = 0.8,
          spoil: str | None = None) -> dict[str, FieldPredictions]:
    rng = np.random.default_rng(seed)
    predicted = TRUTH.copy()
    wrong = rng.random(N) > accuracy
    predicted[wrong] = CLASSES[(np.searchsorted(CLASSES, TRUTH[wrong]) + 1) % 4]
    if spoil is not None:  # one class is never predicted right
        predicted[spoil == TRUTH] = "a" if spoil != "a" else "b"
    conf = np.where(predicted == TRUTH, confidence + 0.1, confidence - 0.2)
    return {"queue": FieldPredictions(np.arange(N), TRUTH, predicted, conf.astype(float))}


def test_macro_f1_matches_sklearn() -> None:
    from sklearn.metrics import f1_score

    p = preds(0.7, seed=2)["queue"]
    expected = f1_score(p.truth, p.predicted, average="macro", zero_division=0)
    assert abs(macro_f1(p.truth, p.predicted) - expected) < 1e-9


def test_clearly_better_challenger_is_promoted() -> None:
    result = decide(preds(0.70, seed=1), preds(0.90, seed=2), N, SETTINGS)
    assert result["promote"] and result["decided_by"] == "all_rules_passed"
    assert result["macro_f1"]["gain"] > 0.1
    assert result["bootstrap"]["p_value"] < 0.01
    assert result["mcnemar"]["queue"]["only_challenger_right"] > 0


def test_a_tie_does_not_promote() -> None:
    same = preds(0.8, seed=1)
    result = decide(same, same, N, SETTINGS)
    assert not result["promote"] and result["decided_by"] == "gain"


def test_a_small_noisy_gain_is_not_significant() -> None:
    settings = GateSettings(min_gain=0.0, bootstrap_samples=300, target_precision=0.9)
    old, new = preds(0.80, seed=1), preds(0.80, seed=1)
    flip = np.flatnonzero(new["queue"].predicted != TRUTH)[:2]  # two more right answers
    new["queue"].predicted[flip] = TRUTH[flip]
    result = decide(old, new, N, settings)
    assert result["rules"]["gain"]["passed"] and not result["promote"]
    assert result["decided_by"] == "significance"


def test_a_class_that_collapses_blocks_promotion() -> None:
    result = decide(preds(0.45, seed=1), preds(0.97, seed=2, spoil="d"), N,
                    GateSettings(bootstrap_samples=300, target_precision=0.5))
    assert result["decided_by"] == "class_f1"
    assert "queue=d" in result["rules"]["class_f1"]["detail"]


def test_worse_calibration_blocks_promotion() -> None:
    old = preds(0.80, seed=1, confidence=0.7)
    new = preds(0.90, seed=2, confidence=0.5)  # right answers at 0.6: badly under-confident
    result = decide(old, new, N, SETTINGS)
    assert result["rules"]["gain"]["passed"] and result["rules"]["significance"]["passed"]
    assert result["decided_by"] == "calibration"


def test_coverage_at_precision() -> None:
    confidence = np.array([0.9, 0.8, 0.7, 0.6, 0.5])
    correct = np.array([True, True, False, True, False])
    assert coverage_at_precision(confidence, correct, 1.0) == 0.4
    assert coverage_at_precision(confidence, correct, 0.75) == 0.8
    assert coverage_at_precision(confidence, ~correct, 0.9) == 0.0
