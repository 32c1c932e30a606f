"""Drift and monitoring: the operational figures the metrics endpoint exports, read from the
same sources, plus the drift report of the observability issue's monitor. A drift report costs
seconds of CPU, so the page never makes one while rendering: its script asks GET /api/v1/drift
(which reuses a recent report) after the page is shown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from autotriage.ml import drift
from autotriage.runtime import Runtime
from autotriage.storage import metrics_repository
from autotriage.storage.tables import Role
from autotriage.ui.deps import Viewer, render, require, runtime_of

router = APIRouter(include_in_schema=False)


def drift_unavailable(runtime: Runtime) -> str | None:
    """Why no drift report can be made, checked without loading anything large."""
    if not runtime.models.loaded:
        return "no model is serving, so there is nothing to compare with"
    model = runtime.models.model
    saved = runtime.store.versions_dir / model.version / drift.REFERENCE_FILE
    if saved.exists() or isinstance(getattr(model, "drift_reference", None), dict):
        return None
    return (f"model {model.version} has no drift reference; models trained by `autotriage "
            "train` get one, an older one needs `autotriage drift --reference-data FILE`")


@router.get("/monitoring", response_class=HTMLResponse)
def monitoring_page(request: Request,
                    who: Annotated[Viewer, Depends(require(Role.REVIEWER))]) -> HTMLResponse:
    runtime = runtime_of(request)
    with runtime.sessions() as session:
        backlogs = metrics_repository.status_backlogs(session,
                                                      metrics_repository.WAITING_FOR_PEOPLE)
        counts = metrics_repository.ticket_counts(session)
        labels = metrics_repository.label_counts(session)
        precision = metrics_repository.auto_route_precision(
            session, datetime.now(UTC) - timedelta(days=30))
    return render(request, "monitoring.html", who, backlogs=backlogs, counts=counts,
                  labels=labels, precision=precision, model_version=runtime.models.version,
                  drift_window=runtime.settings.drift_window,
                  drift_unavailable=drift_unavailable(runtime))
