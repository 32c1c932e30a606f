"""Every Prometheus metric of autotriage, in one registry (names and labels: README "Monitoring").

Process-local events (requests, classifications, swaps, retrains, dead letters) are counted here
as they happen. Values that live in the database or in the queue are read at scrape time by
`observability.collector`, so every process reports the same truth. Labels stay low-cardinality:
route templates, never raw paths; field and label values bounded by the model's label sets.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
)
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector

# Prometheus ignores the `_created` series of the text format; they only double the series.
disable_created_metrics()

REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)
GCCollector(registry=REGISTRY)

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
CONFIDENCE_BUCKETS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 0.99, 1.0)

HTTP_REQUESTS = Counter(
    "autotriage_http_requests", "HTTP requests by route template, method and status code.",
    ["route", "method", "status"], registry=REGISTRY,
)
HTTP_DURATION = Histogram(
    "autotriage_http_request_duration_seconds", "HTTP request latency by route template.",
    ["route", "method"], buckets=LATENCY_BUCKETS, registry=REGISTRY,
)
TICKETS_INGESTED = Counter(
    "autotriage_tickets_ingested", "Tickets accepted and stored (duplicates not counted).",
    ["via"], registry=REGISTRY,
)
TICKETS_PROCESSED = Counter(
    "autotriage_tickets_processed", "Tickets classified and committed, by ticket decision.",
    ["decision"], registry=REGISTRY,
)
FIELD_DECISIONS = Counter(
    "autotriage_field_decisions", "Per-field decisions of classified tickets.",
    ["field", "decision"], registry=REGISTRY,
)
PREDICTIONS = Counter(
    "autotriage_predictions", "Predicted value of each field of classified tickets.",
    ["field", "label"], registry=REGISTRY,
)
CONFIDENCE = Histogram(
    "autotriage_prediction_confidence", "Top confidence of each field of classified tickets.",
    ["field"], buckets=CONFIDENCE_BUCKETS, registry=REGISTRY,
)
CLASSIFICATION_LATENCY = Histogram(
    "autotriage_classification_latency_seconds",
    "Model and policy time per ticket (its share of the batch).",
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
    registry=REGISTRY,
)
TICKET_FAILURES = Counter(
    "autotriage_ticket_failures", "Ticket classification attempts that failed and were retried.",
    registry=REGISTRY,
)
MODEL_SWAPS = Counter(
    "autotriage_model_swaps", "Times this process replaced its live model by another version.",
    registry=REGISTRY,
)
MODEL_LOAD_FAILURES = Counter(
    "autotriage_model_load_failures", "Failed attempts to load the champion model.",
    registry=REGISTRY,
)
# Updated by the retraining pipeline (retrain issue): one run per challenger trained.
RETRAIN_RUNS = Counter(
    "autotriage_retrain_runs", "Retraining runs by outcome (promoted, rejected, failed).",
    ["outcome"], registry=REGISTRY,
)
RETRAIN_DURATION = Histogram(
    "autotriage_retrain_duration_seconds", "Wall time of retraining runs.",
    buckets=(10, 30, 60, 120, 300, 600, 1800, 3600), registry=REGISTRY,
)
# Updated by the queue backends when a message is given up on after its last attempt.
DEAD_LETTERS = Counter(
    "autotriage_dead_letters", "Messages moved to the dead-letter store.", registry=REGISTRY,
)
DRIFT_SCORE = Gauge(
    "autotriage_drift_score",
    "Latest drift score per check (AUC, PSI, KS statistic or OOV-rate change).",
    ["check", "field"], registry=REGISTRY,
)
DRIFT_DETECTED = Gauge(
    "autotriage_drift_detected", "1 when the latest drift report flags this check, else 0.",
    ["check", "field"], registry=REGISTRY,
)
DRIFT_SEVERITY = Gauge(
    "autotriage_drift_severity",
    "Largest significant drift score over its threshold in the latest report (>=1: drift).",
    registry=REGISTRY,
)
DRIFT_LAST_CHECK = Gauge(
    "autotriage_drift_last_check_timestamp_seconds", "When the latest drift report was made.",
    registry=REGISTRY,
)
DRIFT_RETRAIN_TRIGGERS = Counter(
    "autotriage_drift_retrain_triggers", "Times drift called the registered retrain hooks.",
    registry=REGISTRY,
)


def record_retrain(outcome: str, seconds: float) -> None:
    """For the retraining pipeline: outcome is promoted, rejected or failed."""
    RETRAIN_RUNS.labels(outcome).inc()
    RETRAIN_DURATION.observe(seconds)


def record_dead_letters(count: int = 1) -> None:
    """For queue backends: messages moved to dead letters."""
    DEAD_LETTERS.inc(count)


def record_drift(report: dict[str, Any], timestamp: float) -> None:
    """Export a drift report (see ml.drift.compare); checks missing from it disappear."""
    DRIFT_SCORE.clear()
    DRIFT_DETECTED.clear()
    for check in report.get("checks", []):
        labels = (check["check"], check.get("field") or "")
        DRIFT_SCORE.labels(*labels).set(check["score"])
        DRIFT_DETECTED.labels(*labels).set(1.0 if check["drifted"] else 0.0)
    DRIFT_SEVERITY.set(report.get("severity", 0.0))
    DRIFT_LAST_CHECK.set(timestamp)


class _Forward:
    """Lets one registry be exposed through several (a per-runtime one adds its collector)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def collect(self) -> Iterable[Any]:
        return self.registry.collect()


def exposition_registry(extra: Iterable[Collector] = ()) -> CollectorRegistry:
    """The process-wide metrics plus `extra` collectors (scrape-time values of one runtime)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Forward(REGISTRY))  # type: ignore[arg-type]
    for collector in extra:
        registry.register(collector)
    return registry
