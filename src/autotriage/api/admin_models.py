"""Admin API of the model registry: versions, aliases and their history, retraining, promotion,
rollback and the shadow challenger's live agreement."""

from __future__ import annotations

import threading
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from autotriage.api.deps import CurrentUser, RuntimeDep, SessionDep
from autotriage.domain import model_admin
from autotriage.errors import Conflict, NotFound
from autotriage.storage import model_repository as repo
from autotriage.storage.tables import RetrainRun
from autotriage.worker import retrain as retrain_job

router = APIRouter(prefix="/api/v1/admin/models", tags=["models"])


class RetrainRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    dry_run: bool = Field(default=False, description="train and compare, change nothing")


class AliasChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str | None = Field(default=None, max_length=2_000)


def run_view(run: RetrainRun, request: Request) -> dict[str, Any]:
    return {
        "id": run.id, "status": run.status, "trigger": run.trigger, "actor": run.actor,
        "dry_run": run.dry_run, "champion_version": run.champion_version,
        "challenger_version": run.challenger_version, "decided_by": run.decided_by,
        "error": run.error, "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "status_url": str(request.url_for("get_retrain_run", run_id=run.id)),
        "report": run.report,
    }


@router.get("")
def list_models(runtime: RuntimeDep, session: SessionDep) -> dict[str, Any]:
    """Registered versions with their aliases, this process's live version, alias history."""
    view = model_admin.overview(session, runtime.store, serving=runtime.models.version)
    view["retrain_runs"] = [
        {"id": r.id, "status": r.status, "trigger": r.trigger, "decided_by": r.decided_by,
         "challenger_version": r.challenger_version, "started_at": r.started_at.isoformat()}
        for r in repo.recent_runs(session, limit=10)
    ]
    return view


@router.post("/retrain", status_code=202)
def start_retrain(body: RetrainRequest, request: Request, runtime: RuntimeDep,
                  user: CurrentUser) -> dict[str, Any]:
    """Start a retrain in the background; 409 while another one runs anywhere."""
    ticket = retrain_job.begin(runtime.sessions, runtime.settings, trigger="manual", actor=user,
                               dry_run=body.dry_run)
    thread = threading.Thread(
        target=retrain_job.execute, name=f"retrain-{ticket.run_id}", daemon=True,
        args=(runtime.sessions, runtime.store, runtime.settings, ticket),
        kwargs={"on_promoted": runtime.improvement.announce},
    )
    thread.start()
    return {"run_id": ticket.run_id, "status": "running", "dry_run": body.dry_run,
            "status_url": str(request.url_for("get_retrain_run", run_id=ticket.run_id))}


@router.get("/retrain/{run_id}", name="get_retrain_run")
def get_retrain_run(run_id: int, request: Request, session: SessionDep) -> dict[str, Any]:
    run = repo.get_run(session, run_id)
    if run is None:
        raise NotFound(f"no retrain run {run_id}")
    return run_view(run, request)


@router.get("/shadow")
def shadow(runtime: RuntimeDep, session: SessionDep,
           version: str | None = None) -> dict[str, Any]:
    """Live agreement with reviewer labels: the challenger's shadow predictions against the
    champion's, on the same labelled tickets."""
    wanted = version or runtime.store.alias_version("challenger")
    if wanted is None:
        raise Conflict("there is no challenger; name a version with ?version=")
    report = model_admin.shadow_report(session, wanted)
    report["shadowing"] = runtime.settings.shadow_challenger
    return report


@router.post("/{version}/promote")
def promote(version: str, runtime: RuntimeDep, session: SessionDep, user: CurrentUser,
            body: AliasChange | None = None) -> dict[str, Any]:
    event = model_admin.promote(session, runtime.store, version, actor=user,
                                reason=body.reason if body else None)
    session.commit()
    runtime.improvement.announce(event.version)
    return model_admin.event_view(event)


@router.post("/rollback")
def rollback(runtime: RuntimeDep, session: SessionDep, user: CurrentUser,
             body: AliasChange | None = None) -> dict[str, Any]:
    event = model_admin.rollback(session, runtime.store, actor=user,
                                 reason=body.reason if body else None)
    session.commit()
    runtime.improvement.announce(event.version)
    return model_admin.event_view(event)
