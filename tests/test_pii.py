"""PII redaction: realistic samples in several languages, things that must stay, and the places
it is applied (log lines, metric labels, retraining texts)."""

from __future__ import annotations

import io
import logging

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from prometheus_client import Counter

from autotriage.domain.retraining import TEXT, RetrainData
from autotriage.observability import metrics
from autotriage.observability.logging import configure_logging
from autotriage.security.pii import iban_valid, luhn_valid, redact, redact_exposition
from autotriage.security.training_text import redact_training_data

REDACTED = [
    ("Please reply to jane.doe+billing@example.co.uk today",
     "Please reply to [EMAIL] today"),
    ("Bitte an müller.jürgen@beispiel.de antworten", "Bitte an [EMAIL] antworten"),
    ("Call me on +44 20 7946 0958.", "Call me on [PHONE]."),
    ("Rückruf bitte unter 030 12345678 oder 0171-1234567",
     "Rückruf bitte unter [PHONE] oder [PHONE]"),
    ("Mon numéro : 06 12 34 56 78, merci", "Mon numéro : [PHONE], merci"),
    ("Llámeme al +34 612 345 678 o al 0034 612 345 678",
     "Llámeme al [PHONE] o al [PHONE]"),
    ("US office (555) 123-4567 or 555-123-4567", "US office [PHONE] or [PHONE]"),
    ("电话 +86 138 0013 8000", "电话 [PHONE]"),
    ("Card 4111 1111 1111 1111 was charged twice", "Card [CARD] was charged twice"),
    ("Tarjeta 5500-0000-0000-0004 rechazada", "Tarjeta [CARD] rechazada"),
    ("Amex 378282246310005 please", "Amex [CARD] please"),
    ("IBAN DE89 3704 0044 0532 0130 00 bitte erstatten", "IBAN [IBAN] bitte erstatten"),
    ("Virement sur FR14 2004 1010 0505 0001 3M02 606.", "Virement sur [IBAN]."),
    ("refund to GB82WEST12345698765432 thanks", "refund to [IBAN] thanks"),
    ("cuenta ES9121000418450200051332", "cuenta [IBAN]"),
]

KEPT = [
    "order 4411 was charged twice",
    "Bestellnummer 12345678 vom 2024-03-15, Betrag 1.234,56 EUR",
    "pedido 2024-00123 del 15/03/2024 por 1.299,00 EUR",
    "commande n° 784512 du 05.03.2024, montant 49,99 €",
    "invoice INV-2024-0042, version 1.2.3 at 10:30",
    "tracking 1Z999AA10123456784 shipped",
    "Card 4111 1111 1111 1112 fails the Luhn check",
    "IBAN DE89370400440532013001 has a wrong check digit",
    "ids [1, 2, 3] at 2026-11-22T10:00:00.123+00:00",
    "Ticket #100234 priority high, 3 items at $19.99",
    "model 20261121-163228-d3b8d9 trained",  # 14 digits that pass the Luhn check
]


@pytest.mark.parametrize(("text", "expected"), REDACTED)
def test_personal_data_is_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize("text", KEPT)
def test_order_numbers_dates_and_amounts_stay(text: str) -> None:
    assert redact(text) == text


def test_check_digits() -> None:
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")
    assert iban_valid("DE89370400440532013000") and not iban_valid("DE89370400440532013001")
    assert not iban_valid("XX89370400440532013000")


def test_log_lines_are_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    for log_format in ("json", "text"):
        stream = io.StringIO()
        monkeypatch.setattr("sys.stderr", stream)
        configure_logging(log_format, "INFO", include_private=True)
        try:
            logging.getLogger("autotriage.test").info(
                "mail from %s", "a.b@example.com", extra={"sender": "+49 30 1234567"})
            try:
                raise ValueError("card 4111 1111 1111 1111")
            except ValueError:
                logging.getLogger("autotriage.test").exception("failed")
        finally:
            logging.getLogger().handlers.clear()
        line = stream.getvalue()
        assert "[EMAIL]" in line and "example.com" not in line
        assert "1234567" not in line and "4111" not in line, line


def test_metric_labels_are_redacted(client: TestClient) -> None:
    counter = Counter("autotriage_test_pii_total", "a test counter", ["source"],
                      registry=metrics.REGISTRY)
    counter.labels("alice@example.com").inc(4111111111111111)
    try:
        body = client.get("/metrics").text
    finally:
        metrics.REGISTRY.unregister(counter)
    line = next(x for x in body.splitlines() if x.startswith("autotriage_test_pii_total{"))
    assert 'source="[EMAIL]"' in line and line.endswith("4.111111111111111e+15")
    assert redact_exposition('m{a="4111 1111 1111 1111"} 1.0') == 'm{a="[CARD]"} 1.0'


def test_training_texts_are_redacted_on_request() -> None:
    frame = pd.DataFrame({TEXT: ["refund to DE89370400440532013000 please", "order 4411"],
                          "queue": ["billing", "orders"]})
    data = redact_training_data(RetrainData(train=frame, golden=frame, recent=frame.iloc[:0]))
    assert list(data.train[TEXT]) == ["refund to [IBAN] please", "order 4411"]
    assert list(data.golden[TEXT]) == list(data.train[TEXT])
    assert list(frame[TEXT])[0].startswith("refund to DE89")  # the input is left as it was
    assert data.summary["texts_redacted"] is True
