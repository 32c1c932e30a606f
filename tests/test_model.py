"""The model object: training, prediction and serialization as one pipeline."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from autotriage.domain.decision import (
    Decision,
    DecisionPolicy,
    FieldDecision,
    FieldMode,
    FieldPolicy,
)
from autotriage.errors import ModelNotReady, NotFound
from autotriage.ml.model import FieldResult, TriageModel
from autotriage.ml.store import ModelHolder, ModelStore


def test_predictions_survive_a_save_and_load(demo_model: TriageModel, tmp_path: Path) -> None:
    texts = ["Refund for order 1234 please", "Mon imprimante ne fonctionne plus"]
    before = demo_model.predict_proba(texts)
    loaded = TriageModel.load(demo_model.save(tmp_path / "m"))
    after = loaded.predict_proba(texts)
    for field in demo_model.fields:
        np.testing.assert_allclose(before[field], after[field])
    assert loaded.version == demo_model.version
    assert set(loaded.info["libraries"]) >= {"python", "scikit-learn", "numpy"}
    assert loaded.info["label_sets"]["priority"] == sorted(loaded.info["label_sets"]["priority"])


def test_top_three_are_ordered_probabilities(demo_model: TriageModel) -> None:
    [result] = demo_model.predict(["I was charged twice on my credit card"])
    for field, r in result.items():
        assert len(r.top) == 3
        assert r.top[0] == (r.label, r.confidence)
        assert [p for _, p in r.top] == sorted((p for _, p in r.top), reverse=True)
        assert 0 < r.confidence <= 1
        assert r.label in demo_model.classes(field)


def test_a_field_with_one_label_cannot_train() -> None:
    with pytest.raises(ValueError, match="at least two distinct labels"):
        TriageModel(["queue"]).fit(["a b", "c d"], {"queue": ["x", "x"]})


def test_heads_skip_rows_without_a_label() -> None:
    texts = ["refund money back", "login password", "refund please", "password reset"]
    model = TriageModel(["queue", "priority"]).fit(
        texts, {"queue": ["billing", "access", "billing", "access"],
                "priority": ["low", None, "high", ""]}
    )
    assert model.classes("priority") == ["high", "low"]


def test_store_and_holder(tmp_path: Path, demo_model: TriageModel) -> None:
    store = ModelStore(tmp_path)
    with pytest.raises(ModelNotReady):
        store.load_champion()
    store.save(demo_model)
    with pytest.raises(NotFound):
        store.set_champion("nope")
    store.set_champion(demo_model.version)
    assert store.versions() == [demo_model.version]
    holder = ModelHolder()
    with pytest.raises(ModelNotReady):
        _ = holder.model
    holder.swap(store.load_champion())
    assert holder.model.version == demo_model.version


def test_decision_policy() -> None:
    # Policy v2 (issue 3): thresholds per field and class, escalation as novel under a level.
    policy = DecisionPolicy({
        "queue": FieldPolicy(FieldMode.AUTO, default_threshold=0.8, novelty_below=0.2),
        "priority": FieldPolicy(FieldMode.AUTO, default_threshold=0.6, novelty_below=0.2),
    })

    def r(p: float) -> FieldResult:
        return FieldResult("x", p, [("x", p)])

    assert policy.decide({"queue": r(0.9), "priority": r(0.7)}).decision is Decision.AUTO_ROUTE
    verdict = policy.decide({"queue": r(0.9), "priority": r(0.5)})
    assert verdict.decision is Decision.HUMAN_REVIEW
    assert verdict.field_decisions["queue"] is FieldDecision.AUTO_ROUTE
    assert policy.decide({"queue": r(0.1), "priority": r(0.9)}).decision is Decision.ESCALATE
