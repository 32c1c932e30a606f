"""What entry points report once something has happened: a metric and a structured log line.

Call these after the commit that makes the event true, so metrics never count what was rolled
back. Log lines carry ids, decisions and versions, never ticket text.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from autotriage.ml.model import TriageModel
from autotriage.observability import metrics
from autotriage.storage.repository import ClassifiedTicket

log = logging.getLogger("autotriage.events")


def tickets_accepted(ticket_ids: Sequence[int], via: str) -> None:
    """New tickets stored (duplicates excluded); `via` names the intake path (api, batch, ...)."""
    if not ticket_ids:
        return
    metrics.TICKETS_INGESTED.labels(via).inc(len(ticket_ids))
    if len(ticket_ids) == 1:
        log.info("ticket accepted", extra={"ticket_id": ticket_ids[0], "via": via})
    else:
        log.info("tickets accepted", extra={"ticket_ids": list(ticket_ids), "via": via,
                                            "count": len(ticket_ids)})


def tickets_classified(outcomes: Sequence[ClassifiedTicket]) -> None:
    for ticket in outcomes:
        metrics.TICKETS_PROCESSED.labels(ticket.decision).inc()
        metrics.CLASSIFICATION_LATENCY.observe(ticket.latency_ms / 1000)
        for field in ticket.fields:
            metrics.FIELD_DECISIONS.labels(field.field, field.decision).inc()
            metrics.PREDICTIONS.labels(field.field, field.label).inc()
            metrics.CONFIDENCE.labels(field.field).observe(field.confidence)
        log.info("ticket classified", extra={
            "ticket_id": ticket.ticket_id, "model_version": ticket.model_version,
            "decision": ticket.decision, "latency_ms": round(ticket.latency_ms, 3),
        })


def model_loaded(model: TriageModel, previous: TriageModel | None) -> None:
    if previous is not None and previous.version != model.version:
        metrics.MODEL_SWAPS.inc()
    log.info("model loaded", extra={
        "model_version": model.version,
        "previous_version": previous.version if previous is not None else None,
    })


def model_load_failed(error: Exception) -> None:
    metrics.MODEL_LOAD_FAILURES.inc()
    log.warning("model load failed", extra={"error": str(error),
                                            "error_type": type(error).__name__})
