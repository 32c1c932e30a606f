"""Calibration and precision-guaranteed thresholds (issue 3)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from autotriage.demo_data import generate_tickets
from autotriage.ml.calibration import Calibrator, choose_calibrator, top_label_ece
from autotriage.ml.model import TrainingOptions, TriageModel, ticket_text
from autotriage.ml.thresholds import choose_thresholds, ltt_threshold, min_sample_size

FIELDS = ("queue", "priority", "type")


def test_calibration_does_not_worsen_ece_on_fresh_demo_data(demo_model: TriageModel) -> None:
    fresh = generate_tickets(1_500, seed=99)
    texts = [ticket_text(t["subject"], t["body"]) for t in fresh]
    calibrated = demo_model.predict_proba(texts)
    raw = demo_model.predict_proba(texts, calibrated=False)
    improved = 0
    for field in FIELDS:
        index = {c: i for i, c in enumerate(demo_model.classes(field))}
        truth = np.array([index[t[field]] for t in fresh])
        before, after = top_label_ece(raw[field], truth), top_label_ece(calibrated[field], truth)
        assert after <= before + 0.005, (field, before, after)
        improved += after < before - 0.01
        report = demo_model.info["calibration"][field]
        assert report["method"] in ("none", "temperature", "sigmoid", "isotonic")
        assert report["held_out_nll"][report["method"]] == min(report["held_out_nll"].values())
    assert improved >= 1  # demo heads are overconfident; calibration must fix some of it


def test_temperature_scaling_repairs_overconfidence() -> None:
    rng = np.random.default_rng(0)
    n, k = 4_000, 5
    logits = rng.normal(size=(n, k)) * 2
    truth_probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    truth = np.array([rng.choice(k, p=p) for p in truth_probs])
    overconfident = np.exp(logits * 3) / np.exp(logits * 3).sum(axis=1, keepdims=True)
    calibrator = Calibrator("temperature").fit(overconfident, truth)
    assert 2.5 < calibrator.temperature < 3.5
    assert top_label_ece(calibrator.transform(overconfident), truth) < 0.03
    assert top_label_ece(overconfident, truth) > 0.1
    chosen, report = choose_calibrator(overconfident, truth)
    assert chosen.method != "none" and report["ece_after"] < report["ece_before"]


def _precision_above(t: float) -> float:
    """Confidence ~ Beta(5, 1) and P(correct | u) = u: the precision of routing u >= t is
    E[u | u >= t] = 5/6 (1 - t^6) / (1 - t^5); it reaches 0.95 at t = 0.8946."""
    return 5 / 6 * (1 - t**6) / (1 - t**5)


def test_threshold_guarantee_holds_in_repeated_draws() -> None:
    rng = np.random.default_rng(1)
    target, delta, repetitions = 0.95, 0.05, 300
    failures, chosen = 0, []
    for _ in range(repetitions):
        confidence = rng.beta(5, 1, size=2_000)
        correct = rng.uniform(size=2_000) < confidence
        threshold = ltt_threshold(confidence, correct, target, delta)
        if threshold is None:
            continue
        chosen.append(threshold)
        failures += _precision_above(threshold) < target
    assert failures <= delta * repetitions, failures
    # Not vacuous: it usually finds a threshold, not far above the best possible 0.8946.
    assert len(chosen) >= 0.7 * repetitions
    assert 0.8946 <= float(np.median(chosen)) < 0.96


def test_threshold_realized_precision_on_fresh_samples() -> None:
    rng = np.random.default_rng(2)
    met, routed_any = 0, 0
    for _ in range(100):
        confidence = rng.beta(5, 1, size=1_500)
        correct = rng.uniform(size=1_500) < confidence
        threshold = ltt_threshold(confidence, correct, 0.95, 0.05)
        if threshold is None:  # nothing is auto-routed: no wrong auto-route either
            met += 1
            continue
        routed_any += 1
        fresh = rng.beta(5, 1, size=50_000)
        routed = fresh[fresh >= threshold]
        met += (rng.uniform(size=len(routed)) < routed).mean() >= 0.95
    assert met >= 95 and routed_any >= 70


def test_a_class_that_cannot_reach_the_target_is_never_auto_routed() -> None:
    rng = np.random.default_rng(3)
    n = 3_000
    predicted = np.array(["good"] * n + ["bad"] * n + ["rare"] * 40 + ["rare2"] * 40,
                         dtype=object)
    confidence = rng.uniform(0.5, 1.0, size=len(predicted))
    correct = np.r_[rng.uniform(size=n) < 0.99, rng.uniform(size=n) < 0.7,
                    np.ones(40, bool), np.zeros(40, bool)]
    choice = choose_thresholds(confidence, list(predicted), correct,
                               ["good", "bad", "rare", "rare2", "never"], target=0.95,
                               delta=0.05, min_class_size=250)
    assert choice["own_classes"] == ["good", "bad"]
    assert choice["classes"]["good"] is not None
    assert choice["classes"]["bad"] is None
    # The pooled group (rare, rare2, never) is 50% right: no threshold can prove 95%.
    assert choice["classes"]["rare"] is None and choice["classes"]["rare2"] is None
    json.dumps(choice)


def test_no_threshold_without_enough_evidence() -> None:
    assert min_sample_size(0.95, 0.05) == 59
    few = np.linspace(0.99, 1.0, 58)
    assert ltt_threshold(few, np.ones(58, bool), 0.95, 0.05) is None
    assert ltt_threshold(np.linspace(0.99, 1, 59), np.ones(59, bool), 0.95, 0.05) is not None


def test_model_carries_its_calibration_and_thresholds(
    demo_model: TriageModel, tmp_path: Path
) -> None:
    info = json.loads(json.dumps(demo_model.info))  # JSON-serializable as stored
    assert info["guarantee"]["target_precision"] == 0.95
    assert info["guarantee"]["delta"] == 0.05 and info["guarantee"]["calibrated"]
    for field in FIELDS:
        assert set(info["thresholds"][field]["classes"]) == set(demo_model.classes(field))
        assert len(info["confidence_quantiles"][field]) == 21
        assert {"method", "ece_before", "ece_after"} <= set(info["calibration"][field])
    loaded = TriageModel.load(demo_model.save(tmp_path / "m"))
    texts = ["Refund for my order please", "I cannot log in"]
    for field in FIELDS:
        np.testing.assert_allclose(loaded.predict_proba(texts)[field],
                                   demo_model.predict_proba(texts)[field])
    assert (tmp_path / "m" / "model.json").exists()


def test_tiny_data_trains_but_never_auto_routes() -> None:
    texts = ["refund money back", "login password", "refund please", "password reset"] * 5
    model = TriageModel(["queue"]).fit(texts, {"queue": ["billing", "access"] * 10})
    assert model.info["guarantee"]["calibrated"] is False
    assert model.info["thresholds"] == {}


class FakeEncoder:
    """Stands in for the packaged sentence encoder (an external model): a fixed random
    projection of character counts, L2-normalized, as the real one returns."""

    def __init__(self, dim: int = 16) -> None:
        self.projection = np.random.default_rng(0).normal(size=(128, dim))

    def encode(self, texts: list[str]) -> np.ndarray:
        counts = np.zeros((len(texts), 128), dtype=np.float32)
        for i, text in enumerate(texts):
            for ch in text.lower():
                counts[i, ord(ch) % 128] += 1
        vectors = (counts @ self.projection).astype(np.float32)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)


def test_embedding_head_is_averaged_before_calibration(tmp_path: Path) -> None:
    tickets = generate_tickets(400, seed=5)
    texts = [ticket_text(t["subject"], t["body"]) for t in tickets]
    model = TriageModel(["queue"], TrainingOptions(embeddings="fake"), encoder=FakeEncoder())
    model.fit(texts, {"queue": [t["queue"] for t in tickets]})
    assert model.info["features"] == "tfidf+embeddings" and model.info["embeddings"] == "fake"
    sample = texts[:5]
    matrix = model.features.transform(sample)
    expected = (model.heads["queue"].predict_proba(matrix)
                + model.embedding_heads["queue"].predict_proba(FakeEncoder().encode(sample))) / 2
    np.testing.assert_allclose(model.predict_proba(sample, calibrated=False)["queue"], expected,
                               rtol=1e-6)
    loaded = TriageModel.load(model.save(tmp_path / "m"))
    np.testing.assert_allclose(loaded.predict_proba(sample)["queue"],
                               model.predict_proba(sample)["queue"], rtol=1e-6)


@pytest.mark.parametrize("fraction", [0.0])
def test_no_calibration_split_means_uncalibrated(fraction: float) -> None:
    tickets = generate_tickets(300, seed=6)
    texts = [ticket_text(t["subject"], t["body"]) for t in tickets]
    model = TriageModel(["queue"], TrainingOptions(calibration_fraction=fraction))
    model.fit(texts, {"queue": [t["queue"] for t in tickets]})
    assert model.calibrators == {}
    assert model.info["guarantee"]["calibrated"] is False
