"""Which model is champion or challenger, with a history of who changed it, when and why.

The store (MLflow or the folder) holds the aliases; every change is also written to
`model_events` in the caller's transaction. The event is flushed before the alias moves, so a
refused alias change leaves no history behind; the caller commits.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from autotriage.errors import Conflict, NotFound
from autotriage.ml.store import CHALLENGER, CHAMPION, ModelStore
from autotriage.storage import model_repository as repo
from autotriage.storage.tables import ModelEvent


def _known(store: ModelStore, version: str) -> str:
    """The model version string for a version string or a registry number."""
    for stored in store.describe():
        if version in (stored.version, stored.registry_version):
            return stored.version
    raise NotFound(f"no model version {version!r} in {store.where()}; "
                   "`autotriage models` lists them")


def promote(session: Session, store: ModelStore, version: str, *, actor: str,
            reason: str | None, metrics: dict[str, Any] | None = None,
            run_id: int | None = None, action: str = "promote") -> ModelEvent:
    version = _known(store, version)
    current = store.champion_version()
    if version == current:
        raise Conflict(f"model {version} is already the champion")
    shadow = shadow_report(session, version)
    figures = dict(metrics or {})
    if shadow["fields"]:
        figures["shadow"] = shadow
    event = repo.add_event(session, action=action, alias=CHAMPION, version=version,
                           previous_version=current, actor=actor, reason=reason,
                           metrics=figures or None, retrain_run_id=run_id)
    store.set_alias(CHAMPION, version)
    if store.alias_version(CHALLENGER) == version:
        store.clear_alias(CHALLENGER)  # it serves now; shadowing it would compare it to itself
    return event


def rollback(session: Session, store: ModelStore, *, actor: str,
             reason: str | None) -> ModelEvent:
    """Back to the champion before the current one."""
    current = store.champion_version()
    for event in repo.events(session, limit=1_000):
        if event.alias == CHAMPION and event.version == current:
            if not event.previous_version:
                break
            return promote(session, store, event.previous_version, actor=actor,
                           reason=reason or f"rollback from {current}", action="rollback")
    raise Conflict(f"no previous champion recorded for {current}; promote a version instead "
                   "(`autotriage models` lists them)")


def set_challenger(session: Session, store: ModelStore, version: str, *, actor: str,
                   reason: str | None, metrics: dict[str, Any] | None = None,
                   run_id: int | None = None) -> ModelEvent:
    event = repo.add_event(session, action="challenger", alias=CHALLENGER, version=version,
                           previous_version=store.alias_version(CHALLENGER), actor=actor,
                           reason=reason, metrics=metrics, retrain_run_id=run_id)
    store.set_alias(CHALLENGER, version)
    return event


def event_view(event: ModelEvent) -> dict[str, Any]:
    return {"id": event.id, "action": event.action, "alias": event.alias,
            "version": event.version, "previous_version": event.previous_version,
            "actor": event.actor, "reason": event.reason, "metrics": event.metrics,
            "retrain_run_id": event.retrain_run_id, "at": event.created_at.isoformat()}


def overview(session: Session, store: ModelStore, *, serving: str | None,
             history: int = 50) -> dict[str, Any]:
    versions = store.describe()
    return {
        "registry": store.kind,
        "where": store.where(),
        "champion": store.champion_version(),
        "challenger": store.alias_version(CHALLENGER),
        "serving": serving,
        "versions": [{"version": v.version, "registry_version": v.registry_version,
                      "aliases": list(v.aliases),
                      "created_at": v.created_at.isoformat() if v.created_at else None}
                     for v in reversed(versions)],
        "history": [event_view(e) for e in repo.events(session, limit=history)],
    }


def shadow_report(session: Session, version: str) -> dict[str, Any]:
    """How often `version`'s shadow predictions and the live ones agree with reviewers."""
    fields = {}
    for field, n, shadow_hits, live_hits in repo.shadow_agreement(session, version):
        fields[field] = {"labelled": n, "challenger_agreement": round(shadow_hits / n, 4),
                         "champion_agreement": round(live_hits / n, 4)}
    return {"version": version, "fields": fields}
