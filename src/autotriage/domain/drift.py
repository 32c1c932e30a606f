"""Drift reports for the live model: the champion's reference against the newest tickets.

`DriftMonitor` makes them on request (API, CLI) and periodically (in `autotriage serve`),
exports them as metrics, and calls the registered retrain hooks when the severity reaches
AUTOTRIAGE_DRIFT_RETRAIN_ABOVE. The retraining pipeline connects itself with `on_drift`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from autotriage.config import Settings
from autotriage.errors import Conflict, DataError
from autotriage.ml import drift, training
from autotriage.ml.model import TriageModel, ticket_text
from autotriage.ml.store import ModelHolder, ModelStore, open_store
from autotriage.observability import metrics
from autotriage.storage import metrics_repository
from autotriage.storage.db import make_engine, make_session_factory

log = logging.getLogger(__name__)

DriftHook = Callable[[dict[str, Any]], None]


class NoDriftReference(Conflict):
    code = "no_drift_reference"


def thresholds(settings: Settings) -> drift.DriftThresholds:
    return drift.DriftThresholds(
        alpha=settings.drift_alpha, auc=settings.drift_auc_threshold,
        psi=settings.drift_psi_threshold, ks=settings.drift_ks_threshold,
        oov=settings.drift_oov_threshold, min_texts=settings.drift_min_tickets,
    )


def reference_for(model: TriageModel, directory: Path | None) -> dict[str, Any]:
    profile = drift.load_reference(directory, model)
    if profile is None:
        raise NoDriftReference(
            f"model {model.version} has no drift reference ({drift.REFERENCE_FILE}); models "
            "trained by `autotriage train` or the demo bootstrap get one. For an older model, "
            "run `autotriage drift --reference-data TRAINING_FILE`"
        )
    return profile


def recent_texts(session: Session, window: int) -> list[str]:
    return [ticket_text(s, b) for s, b in metrics_repository.recent_ticket_texts(session, window)]


class DriftMonitor:
    def __init__(self, settings: Settings, sessions: sessionmaker[Session], models: ModelHolder,
                 store: ModelStore) -> None:
        self.settings = settings
        self.sessions = sessions
        self.models = models
        self.store = store
        self._hooks: list[DriftHook] = []
        self._lock = threading.Lock()  # one report at a time: they cost seconds of CPU
        self._last: dict[str, Any] | None = None
        self._last_time = 0.0

    def on_drift(self, hook: DriftHook) -> None:
        """Call `hook(report)` whenever a report's severity reaches the retrain setting."""
        self._hooks.append(hook)

    def report(self, *, window: int | None = None, max_age: float = 0.0) -> dict[str, Any]:
        """A fresh report, or the latest one when it is younger than `max_age` seconds and was
        made over the same window."""
        window = window or self.settings.drift_window
        with self._lock:
            last = self._last
            if (last is not None and last["window"] == window
                    and time.monotonic() - self._last_time <= max_age
                    and last["model_version"] == self.models.model.version):
                return last
            report = self._make(window)
            self._last, self._last_time = report, time.monotonic()
        self._trigger(report)  # fresh reports only: a reused one has triggered already
        return report

    def _make(self, window: int) -> dict[str, Any]:
        model = self.models.model
        reference = reference_for(model, self.store.versions_dir / model.version)
        with self.sessions() as session:
            texts = recent_texts(session, window)
        report = drift.compare(reference, model, texts, thresholds(self.settings))
        now = datetime.now(UTC)
        report.update(window=window, checked_at=now.isoformat())
        metrics.record_drift(report, now.timestamp())
        log.info("drift report", extra={
            "model_version": model.version, "drift_detected": report["drift_detected"],
            "severity": report["severity"], "window": window, "status": report["status"],
        })
        return report

    def _trigger(self, report: dict[str, Any]) -> None:
        above = self.settings.drift_retrain_above
        if not above or report["severity"] < above or not self._hooks:
            return
        metrics.DRIFT_RETRAIN_TRIGGERS.inc()
        for hook in list(self._hooks):
            try:
                hook(report)
            except Exception:
                log.exception("retrain hook %r failed", hook)

    def run(self, stop: threading.Event) -> None:
        """Report every AUTOTRIAGE_DRIFT_CHECK_INTERVAL_SECONDS until `stop` is set."""
        while not stop.is_set():
            try:
                if self.models.loaded:
                    self.report()
            except NoDriftReference as exc:
                log.warning("no drift report: %s", exc.message)
            except Exception:
                log.exception("drift report failed; trying again at the next interval")
            stop.wait(self.settings.drift_check_interval_seconds)


def offline_report(
    settings: Settings, *, model: str, window: int, text_columns: Sequence[str],
    current_data: Path | None = None, reference_data: Path | None = None,
    save_reference: bool = False,
) -> dict[str, Any]:
    """`autotriage drift`: a stored model (or the champion) against the newest tickets or a
    file; the reference is the model's own or one built from a training file."""
    served, directory = _load_model(settings, model)
    if reference_data is not None:
        reference = drift.reference_profile(served, texts_from_file(reference_data, text_columns))
        if save_reference:
            drift.save_reference(directory, reference)
    else:
        reference = reference_for(served, directory)
    if current_data is not None:
        texts = texts_from_file(current_data, text_columns)
    else:
        engine = make_engine(settings.resolved_database_url)
        try:
            with make_session_factory(engine)() as session:
                texts = recent_texts(session, window)
        finally:
            engine.dispose()
    report = drift.compare(reference, served, texts, thresholds(settings))
    report.update(window=window if current_data is None else len(texts),
                  checked_at=datetime.now(UTC).isoformat())
    return report


def texts_from_file(path: Path, text_columns: Sequence[str]) -> list[str]:
    frame = training.read_table(path)
    training.check_columns(frame, path, text_columns, [])
    return [text for text in training.texts_of(frame, text_columns) if text.strip()]


def _load_model(settings: Settings, model: str) -> tuple[TriageModel, Path]:
    store = open_store(settings)  # the MLflow registry unless model_registry=local
    if model == "champion":
        champion = store.load_champion()
        return champion, store.versions_dir / champion.version
    try:
        return TriageModel.load(Path(model)), Path(model)
    except (FileNotFoundError, TypeError) as exc:
        raise DataError(f"--model {model}: {exc}") from exc
