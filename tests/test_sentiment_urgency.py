"""Sentiment lexicon and urgency model on real text: a hand-labelled multilingual set (there is no
sentiment ground truth in the shared datasets) and the project's demo tickets."""

from __future__ import annotations

from pathlib import Path

import pytest

from autotriage.demo_data import generate_tickets
from autotriage.domain.sentiment import analyse
from autotriage.domain.urgency import urgency_cues
from autotriage.ml.urgency import UrgencyModel, evaluate_urgency

# Written and labelled by hand for this test; not drawn from any dataset.
HAND_LABELLED = [
    ("I am extremely disappointed, this is unacceptable!", "negative"),
    ("Third time I write. Your service is useless and I am fed up.", "negative"),
    ("Thank you so much, the new feature works perfectly!", "positive"),
    ("My invoice 4411 shows the wrong address.", "neutral"),
    ("The app is not bad, but the export is slow.", "neutral"),
    ("Please reset my password.", "neutral"),
    ("I'm not happy with how this was handled.", "negative"),
    ("Ich bin sehr enttäuscht, das ist eine Zumutung!", "negative"),
    ("Vielen Dank, der Support war super hilfreich.", "positive"),
    ("Bitte ändern Sie meine Lieferadresse.", "neutral"),
    ("Das ist wirklich ärgerlich, schon wieder keine Antwort.", "negative"),
    ("Ich bin nicht zufrieden mit der Reparatur.", "negative"),
    ("Estoy harto, es inaceptable que nadie me responda.", "negative"),
    ("Muchas gracias, todo funciona perfecto.", "positive"),
    ("Necesito cambiar el método de pago.", "neutral"),
    ("Muy decepcionado con el servicio técnico.", "negative"),
    ("No estoy satisfecho con la solución.", "negative"),
    ("Je suis vraiment déçu, c'est inadmissible.", "negative"),
    ("Merci beaucoup, c'est parfait !", "positive"),
    ("Pouvez-vous modifier mon adresse de livraison ?", "neutral"),
    ("Service nul, j'en ai marre !", "negative"),
    ("Je ne suis pas content du tout.", "negative"),
    ("Great job, the issue is resolved. Excellent support!", "positive"),
    ("Where can I download the invoice for March?", "neutral"),
]


def test_lexicon_on_hand_labelled_multilingual_set() -> None:
    predicted = [analyse(text).label for text, _ in HAND_LABELLED]
    correct = sum(p == truth for p, (_t, truth) in zip(predicted, HAND_LABELLED, strict=True))
    wrong = [(t, p) for p, (t, truth) in zip(predicted, HAND_LABELLED, strict=True) if p != truth]
    assert correct / len(HAND_LABELLED) >= 0.85, wrong


def test_negation_and_intensifiers() -> None:
    assert analyse("bad").score < 0 < analyse("not bad").score
    assert analyse("very bad").score < analyse("bad").score
    assert analyse("good").score > 0 > analyse("not good").score
    assert analyse("nicht gut").label != "positive"
    assert analyse("THIS IS TERRIBLE").score < analyse("this is terrible").score
    # a technical fault is not an emotion
    assert analyse("Error 500 when I open the dashboard").label == "neutral"
    hits = dict(analyse("Ce n'est pas bon").hits)
    assert "not bon" in hits and hits["not bon"] < 0


def test_urgency_cues_see_negation_deadlines_and_shouting() -> None:
    urgent = urgency_cues("URGENT: production is down, fix it today!!!").as_dict()
    calm = urgency_cues("This is not urgent at all, whenever you have time.").as_dict()
    assert urgent["urgent_words"] >= 2 and urgent["opening_urgent"] >= 1
    assert urgent["deadline_words"] >= 1 and urgent["exclamations"] == 3
    assert calm["urgent_words"] == 0 and calm["negated_urgent"] == 1 and calm["calm_words"] >= 1
    german = urgency_cues("Das ist nicht dringend.").as_dict()
    assert german["negated_urgent"] == 1 and german["urgent_words"] == 0


@pytest.fixture(scope="module")
def urgency_model() -> UrgencyModel:
    tickets = generate_tickets(1_500, seed=3)
    return UrgencyModel().fit([f"{t['subject']}\n{t['body']}" for t in tickets],
                              [t["priority"] for t in tickets])


def test_urgency_model_beats_majority_and_is_calibrated(urgency_model: UrgencyModel) -> None:
    held_out = generate_tickets(800, seed=99)
    report = evaluate_urgency(urgency_model, [f"{t['subject']}\n{t['body']}" for t in held_out],
                              [t["priority"] for t in held_out])
    assert report["accuracy"] > report["majority_baseline_accuracy"] + 0.1, report
    assert report["expected_calibration_error"] < 0.08, report
    assert set(urgency_model.levels) == {"low", "medium", "high"}


def test_urgency_prediction_and_roundtrip(urgency_model: UrgencyModel, tmp_path: Path) -> None:
    [high, low] = urgency_model.predict(["DRINGEND: Produktivsystem steht, sofort!",
                                         "No rush, just a question when you have time."])
    assert high.level == "high" and low.level == "low"
    assert abs(sum(high.probabilities.values()) - 1) < 1e-3
    assert any("dringend" in e for e in high.evidence)
    loaded = UrgencyModel.load(urgency_model.save(tmp_path / "u"))
    assert loaded is not None and loaded.predict(["URGENT now!"])[0] == urgency_model.predict(
        ["URGENT now!"])[0]
    assert UrgencyModel.load(tmp_path / "missing") is None
