"""Retraining runs (CLI, admin API, triggers): one at a time across processes and machines.

`begin` takes the database lock and records the run; `execute` assembles the data, trains the
challenger, compares it with the champion on the same evaluation data, stores it as challenger,
promotes it when the gate says so, and records the outcome. Each step that changes something
commits on its own: a run that crashes leaves a `running` row that the next run marks as
interrupted (the lock has expired by then or is taken over by the next holder).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from autotriage.config import Settings
from autotriage.domain import model_admin, retraining
from autotriage.errors import AutotriageError, Conflict
from autotriage.ml import retrain
from autotriage.ml.promotion import GateSettings
from autotriage.ml.store import ModelStore
from autotriage.observability import metrics
from autotriage.storage import model_repository as repo
from autotriage.storage.tables import RetrainRun, RetrainStatus, utcnow

log = logging.getLogger(__name__)

LOCK = "retrain"
Step = Callable[[str], None]


@dataclass(frozen=True)
class Ticket:
    """What a started run needs to go on: its id and the lock owner it must release as."""

    run_id: int
    owner: str
    dry_run: bool


def gate_settings(settings: Settings) -> GateSettings:
    return GateSettings(
        min_gain=settings.promotion_min_gain, alpha=settings.promotion_alpha,
        bootstrap_samples=settings.promotion_bootstrap_samples,
        max_class_drop=settings.promotion_max_class_drop,
        min_class_support=settings.promotion_min_class_support,
        ece_tolerance=settings.promotion_ece_tolerance,
        coverage_tolerance=settings.promotion_coverage_tolerance,
        target_precision=settings.target_precision, seed=settings.retrain_seed,
    )


def begin(sessions: sessionmaker[Session], settings: Settings, *, trigger: str, actor: str,
          dry_run: bool) -> Ticket:
    """Take the lock and record a running run, or raise Conflict when another one runs."""
    owner = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    with sessions() as session:
        ttl = timedelta(seconds=settings.retrain_lock_seconds)
        if not repo.try_lock(session, LOCK, owner, ttl):
            session.rollback()
            holder = repo.lock_holder(session, LOCK)
            raise Conflict("a retrain is already running"
                           + (f" (lock held by {holder.owner})" if holder else "")
                           + "; try again when it has finished")
        for stale in repo.recent_runs(session, limit=20):
            if stale.status == RetrainStatus.RUNNING:  # we hold the lock: its process is gone
                repo.finish_run(session, stale.id, status=RetrainStatus.FAILED,
                                error="interrupted: its process stopped before it finished")
        run = repo.start_run(session, trigger=trigger, actor=actor, dry_run=dry_run)
        session.commit()
        return Ticket(run.id, owner, dry_run)


def execute(sessions: sessionmaker[Session], store: ModelStore, settings: Settings,
            ticket: Ticket, *, step: Step = lambda _m: None,
            on_promoted: Callable[[str], None] = lambda _v: None) -> RetrainRun:
    started = time.perf_counter()
    try:
        outcome = _run(sessions, store, settings, ticket, step, on_promoted)
    except Exception as exc:
        log.exception("retrain run %d failed", ticket.run_id)
        message = (exc.message if isinstance(exc, AutotriageError)
                   else f"{type(exc).__name__}: {exc}")
        outcome = {"status": RetrainStatus.FAILED, "error": message}
    finally:
        with sessions() as session:
            repo.release_lock(session, LOCK, ticket.owner)
            session.commit()
    with sessions() as session:
        repo.finish_run(session, ticket.run_id, **outcome)
        session.commit()
        run = repo.get_run(session, ticket.run_id)
    assert run is not None
    metrics.record_retrain(run.status if run.status != RetrainStatus.EVALUATED else "rejected",
                           time.perf_counter() - started)
    return run


def run_retrain(sessions: sessionmaker[Session], store: ModelStore, settings: Settings, *,
                trigger: str, actor: str, dry_run: bool, step: Step = lambda _m: None,
                on_promoted: Callable[[str], None] = lambda _v: None) -> RetrainRun:
    ticket = begin(sessions, settings, trigger=trigger, actor=actor, dry_run=dry_run)
    return execute(sessions, store, settings, ticket, step=step, on_promoted=on_promoted)


def base_data_path(settings: Settings) -> Path:
    return settings.retrain_base_data or settings.data_dir / "demo" / "tickets.csv"


def _assemble(sessions: sessionmaker[Session], settings: Settings,
              fields: list[str]) -> retraining.RetrainData:
    columns = list(settings.retrain_text_columns)
    base = retraining.read_labelled_file(base_data_path(settings), columns, fields)
    golden = (retraining.read_labelled_file(settings.retrain_golden_data, columns, fields)
              if settings.retrain_golden_data else None)
    with sessions() as session:
        labels = repo.verified_labels(session, fields)
    data = retraining.assemble(base, labels, fields, golden=golden,
                               golden_share=settings.retrain_golden_share,
                               recent_share=settings.retrain_recent_share,
                               seed=settings.retrain_seed)
    if settings.redact_training_text:  # issue 9: no personal data in what a model learns
        from autotriage.security.training_text import redact_training_data

        data = redact_training_data(data)
    return data


def _run(sessions: sessionmaker[Session], store: ModelStore, settings: Settings, ticket: Ticket,
         step: Step, on_promoted: Callable[[str], None]) -> dict[str, Any]:
    fields = list(settings.label_fields)
    step("assembling base data and verified labels")
    data = _assemble(sessions, settings, fields)
    champion_version = store.champion_version()
    champion = store.load(champion_version) if champion_version else None
    step(f"training the challenger on {len(data.train)} rows")
    evaluation = data.evaluation
    challenger, seconds = retrain.train_challenger(
        data.train, fields, settings.training_options(), held_out=evaluation[retraining.TEXT])
    step(f"comparing champion and challenger on {len(evaluation)} rows")
    gate = retrain.compare(champion, challenger, evaluation, fields, gate_settings(settings))
    with sessions() as session:
        shadow = (model_admin.shadow_report(session, store.alias_version("challenger") or "")
                  if store.alias_version("challenger") else None)
    comparison = {
        "run_id": ticket.run_id, "dry_run": ticket.dry_run, "at": datetime.now(UTC).isoformat(),
        "champion": champion_version, "challenger": challenger.version, "data": data.summary,
        "evaluation": {"golden_rows": len(data.golden), "recent_rows": len(data.recent)},
        "train_seconds": round(seconds, 3), "gate": gate, "previous_challenger_shadow": shadow,
    }
    _write_comparison(settings, ticket.run_id, comparison)
    status = RetrainStatus.EVALUATED
    if not ticket.dry_run:
        step("storing the challenger")
        status = _store_and_decide(sessions, store, settings, ticket, challenger, data, seconds,
                                   comparison, on_promoted)
    return {"status": status, "decided_by": gate["decided_by"], "report": comparison,
            "champion_version": champion_version,
            "challenger_version": challenger.version}


def _store_and_decide(sessions: sessionmaker[Session], store: ModelStore, settings: Settings,
                      ticket: Ticket, challenger: Any, data: retraining.RetrainData,
                      seconds: float, comparison: dict[str, Any],
                      on_promoted: Callable[[str], None]) -> str:
    fields = list(settings.label_fields)
    report = retrain.challenger_report(challenger, data.evaluation, fields, seconds,
                                       len(data.train))
    report["comparison"] = comparison  # in the run's artifacts (report.json) and MLflow
    store.save(challenger, report=report)
    gate = comparison["gate"]
    summary = {"decided_by": gate["decided_by"], "macro_f1": gate.get("macro_f1"),
               "bootstrap": gate.get("bootstrap")}
    with sessions() as session:
        model_admin.set_challenger(session, store, challenger.version, actor="retrain",
                                   reason=f"retrain run {ticket.run_id}", metrics=summary,
                                   run_id=ticket.run_id)
        session.commit()
    if not (gate["promote"] and settings.retrain_auto_promote):
        return RetrainStatus.REJECTED if not gate["promote"] else RetrainStatus.EVALUATED
    with sessions() as session:
        model_admin.promote(session, store, challenger.version, actor="retrain",
                            reason=f"retrain run {ticket.run_id}: {gate['decided_by']}",
                            metrics=summary, run_id=ticket.run_id)
        session.commit()
    on_promoted(challenger.version)
    return RetrainStatus.PROMOTED


def _write_comparison(settings: Settings, run_id: int, comparison: dict[str, Any]) -> Path:
    folder = settings.data_dir / "retrain" / str(run_id)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "comparison.json"
    path.write_text(json.dumps(comparison, indent=2, sort_keys=True, default=str))
    return path


class RetrainScheduler:
    """Checks the triggers every `retrain_check_seconds`; drift asks through `on_drift`."""

    def __init__(self, sessions: sessionmaker[Session], store: ModelStore, settings: Settings,
                 on_promoted: Callable[[str], None]) -> None:
        self.sessions = sessions
        self.store = store
        self.settings = settings
        self.on_promoted = on_promoted
        self.policy = retraining.TriggerPolicy(settings.retrain_every_labels,
                                               settings.retrain_interval_hours,
                                               settings.retrain_daily_at)
        self.watching_since = utcnow()
        self._drift = threading.Event()

    @property
    def enabled(self) -> bool:
        return bool(self.policy.every_labels or self.policy.interval_hours or self.policy.daily_at)

    def on_drift(self, report: dict[str, Any]) -> None:
        log.info("drift asks for a retrain (severity %s)", report.get("severity"))
        self._drift.set()

    def due(self) -> str | None:
        if self._drift.is_set():
            return "drift"
        with self.sessions() as session:
            last = repo.last_run(session)
            new_labels = repo.labels_since(session, (last.max_label_id or 0) if last else 0)
        started = _aware(last.started_at) if last else self.watching_since
        last_retrain = max(self.watching_since, started)
        return retraining.due_trigger(self.policy, now=utcnow(), new_labels=new_labels,
                                      last_retrain=last_retrain)

    def check(self) -> RetrainRun | None:
        trigger = self.due()
        if trigger is None:
            return None
        try:
            ticket = begin(self.sessions, self.settings, trigger=trigger, actor="trigger",
                           dry_run=False)
        except Conflict:
            return None  # another process retrains; it sees the same labels
        self._drift.clear()
        log.info("retrain run %d started by trigger %s", ticket.run_id, trigger)
        return execute(self.sessions, self.store, self.settings, ticket,
                       on_promoted=self.on_promoted)

    def run(self, stop: threading.Event) -> None:
        while not stop.wait(self.settings.retrain_check_seconds):
            try:
                self.check()
            except Exception:
                log.exception("retrain trigger check failed; trying again later")


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
