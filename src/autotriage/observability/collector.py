"""Scrape-time metrics of one runtime: the live model, the queue and what the database holds.

Database values are the same from every process, so they are read when Prometheus asks, not
counted; a short cache keeps several scrapers (or a scrape storm) to one set of queries.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from prometheus_client import start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from autotriage.observability.metrics import exposition_registry
from autotriage.storage import metrics_repository as queries
from autotriage.storage.tables import LabelSource, TicketStatus

if TYPE_CHECKING:
    from wsgiref.simple_server import WSGIServer

    from autotriage.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass
class _DatabaseState:
    tickets: dict[str, int] = field(default_factory=dict)
    backlogs: dict[str, queries.Backlog] = field(default_factory=dict)
    labels: dict[str, int] = field(default_factory=dict)
    reviewed: int = 0
    precision: dict[str, queries.Precision] = field(default_factory=dict)
    read_at: datetime = field(default_factory=lambda: datetime.now(UTC))


class RuntimeCollector:
    def __init__(self, runtime: Runtime, *, database: bool = True) -> None:
        self.runtime = runtime
        self.database = database
        self._lock = threading.Lock()
        self._state: _DatabaseState | None = None
        self._state_time = 0.0

    def describe(self) -> list[Metric]:
        return []  # nothing to check at registration; the families are built at collect time

    def collect(self) -> Iterator[Metric]:
        yield from self._model()
        yield from self._queue()
        if self.database:
            yield from self._database()

    def _model(self) -> Iterator[Metric]:
        models = self.runtime.models
        loaded = GaugeMetricFamily("autotriage_model_loaded", "1 when a model is being served.")
        loaded.add_metric([], 1.0 if models.loaded else 0.0)
        yield loaded
        info = GaugeMetricFamily("autotriage_model_info", "The served model (value always 1).",
                                 labels=["version", "trained_at"])
        trained = GaugeMetricFamily("autotriage_model_trained_timestamp_seconds",
                                    "When the served model was trained.")
        if models.loaded:
            model = models.model
            trained_at = str(model.info.get("trained_at", ""))
            info.add_metric([model.version, trained_at], 1.0)
            moment = _parse_time(trained_at)
            if moment is not None:
                trained.add_metric([], moment.timestamp())
        yield info
        yield trained

    def _queue(self) -> Iterator[Metric]:
        queue = self.runtime.queue
        pending = GaugeMetricFamily("autotriage_queue_pending",
                                    "Messages published and not yet acknowledged.")
        oldest = GaugeMetricFamily("autotriage_queue_oldest_message_age_seconds",
                                   "Age of the oldest unacknowledged message (0 when none).")
        dead = GaugeMetricFamily("autotriage_queue_dead_letters",
                                 "Messages waiting in the dead-letter list.")
        try:
            pending.add_metric([], float(queue.backlog()))
            oldest.add_metric([], _age(queue.oldest_unacked(), datetime.now(UTC)))
            dead.add_metric([], float(queue.dead_letter_count()))
        except Exception as exc:  # noqa: BLE001 - a down queue must not break the whole scrape
            log.warning("queue figures unavailable for metrics: %s", exc)
        yield from (pending, oldest, dead)

    def _database(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("autotriage_database_up",
                               "1 when the scrape-time database queries succeeded.")
        try:
            state = self._cached_state()
        except Exception as exc:  # noqa: BLE001 - report the database as down, keep the rest
            log.warning("database metrics unavailable: %s", exc)
            up.add_metric([], 0.0)
            yield up
            return
        up.add_metric([], 1.0)
        yield up
        yield from _ticket_families(state)
        yield from _label_families(state)
        yield from self._precision_families(state)

    def _cached_state(self) -> _DatabaseState:
        with self._lock:
            ttl = self.runtime.settings.metrics_cache_seconds
            if self._state is None or time.monotonic() - self._state_time >= ttl:
                self._state = self._read_state()
                self._state_time = time.monotonic()
            return self._state

    def _read_state(self) -> _DatabaseState:
        since = datetime.now(UTC) - timedelta(days=self.runtime.settings.precision_window_days)
        with self.runtime.sessions() as session:
            return _DatabaseState(
                tickets=queries.ticket_counts(session),
                backlogs=queries.status_backlogs(
                    session, (TicketStatus.RECEIVED, *queries.WAITING_FOR_PEOPLE)
                ),
                labels=queries.label_counts(session),
                reviewed=queries.reviewed_ticket_count(session),
                precision=queries.auto_route_precision(session, since),
            )

    def _precision_families(self, state: _DatabaseState) -> Iterator[Metric]:
        checked = GaugeMetricFamily(
            "autotriage_auto_route_checked",
            "Auto-routed tickets with a feedback or resolution label in the precision window.",
            labels=["field"])
        precision = GaugeMetricFamily(
            "autotriage_auto_route_precision",
            "Share of those whose auto-routed prediction matched the label.", labels=["field"])
        target = GaugeMetricFamily(
            "autotriage_auto_route_precision_target",
            "Precision auto-routing must keep (AUTOTRIAGE_TARGET_PRECISION).", labels=["field"])
        fields = self._fields()
        for name in sorted(set(fields) | set(state.precision)):
            figures = state.precision.get(name, queries.Precision(0, 0))
            checked.add_metric([name], float(figures.checked))
            if figures.checked:
                precision.add_metric([name], figures.correct / figures.checked)
            target.add_metric([name], self.runtime.settings.target_precision)
        yield from (checked, precision, target)

    def _fields(self) -> tuple[str, ...]:
        models = self.runtime.models
        return models.model.fields if models.loaded else self.runtime.settings.label_fields


def _ticket_families(state: _DatabaseState) -> Iterator[Metric]:
    tickets = GaugeMetricFamily("autotriage_tickets", "Stored tickets by status.",
                                labels=["status"])
    for status in TicketStatus.ALL:
        tickets.add_metric([status], float(state.tickets.get(status, 0)))
    yield tickets
    unclassified = state.backlogs[TicketStatus.RECEIVED]
    oldest = GaugeMetricFamily(
        "autotriage_oldest_unclassified_ticket_age_seconds",
        "Age of the oldest ticket still waiting for classification (0 when none).")
    oldest.add_metric([], _age(unclassified.oldest, state.read_at))
    yield oldest
    backlog = GaugeMetricFamily("autotriage_review_backlog",
                                "Tickets waiting for people, by status.", labels=["status"])
    backlog_age = GaugeMetricFamily(
        "autotriage_review_oldest_age_seconds",
        "How long the longest-waiting ticket has waited for people (0 when none).",
        labels=["status"])
    for status in queries.WAITING_FOR_PEOPLE:
        figures = state.backlogs[status]
        backlog.add_metric([status], float(figures.count))
        backlog_age.add_metric([status], _age(figures.oldest, state.read_at))
    yield backlog
    yield backlog_age


def _label_families(state: _DatabaseState) -> Iterator[Metric]:
    labels = CounterMetricFamily("autotriage_labels", "Verified field values stored, by source.",
                                 labels=["source"])
    for source in LabelSource.ALL:
        labels.add_metric([source], float(state.labels.get(source, 0)))
    yield labels
    reviewed = CounterMetricFamily("autotriage_reviewed_tickets",
                                   "Tickets that received a reviewer's verdict.")
    reviewed.add_metric([], float(state.reviewed))
    yield reviewed


def _age(since: datetime | None, now: datetime) -> float:
    return max(0.0, (now - since).total_seconds()) if since is not None else 0.0


def _parse_time(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def serve_worker_metrics(runtime: Runtime) -> WSGIServer | None:
    """`autotriage worker`: its own /metrics on AUTOTRIAGE_WORKER_METRICS_PORT (0: none), with
    its counters, model and queue; database values come from the API's /metrics only."""
    port = runtime.settings.worker_metrics_port
    if not port:
        return None
    registry = exposition_registry([RuntimeCollector(runtime, database=False)])
    server, _thread = start_http_server(port, addr=runtime.settings.host, registry=registry)
    log.info("worker metrics on http://%s:%d/metrics", runtime.settings.host, port)
    return server
