"""Prometheus metrics (`GET /metrics`, outside /api/v1) and drift reports (`GET /api/v1/drift`)."""

from __future__ import annotations

import threading
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from autotriage.api.deps import RuntimeDep
from autotriage.errors import InvalidInput
from autotriage.observability.collector import RuntimeCollector
from autotriage.observability.drift_html import render_drift_report
from autotriage.observability.metrics import exposition_registry
from autotriage.runtime import Runtime
from autotriage.security.pii import redact_exposition

router = APIRouter(tags=["monitoring"])
_registry_lock = threading.Lock()


def _registry(request: Request, runtime: Runtime) -> CollectorRegistry:
    state = request.app.state
    with _registry_lock:
        if getattr(state, "metrics_registry", None) is None:
            state.metrics_registry = exposition_registry([RuntimeCollector(runtime)])
    registry: CollectorRegistry = state.metrics_registry
    return registry


@router.get("/metrics", include_in_schema=False)
def prometheus_metrics(request: Request, runtime: RuntimeDep) -> Response:
    """Prometheus text format: process counters plus database values read now (cached)."""
    body = generate_latest(_registry(request, runtime))
    body = redact_exposition(body.decode()).encode()  # no personal data in labels (issue 9)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


@router.get("/api/v1/drift", response_model=None)
def drift_report(
    runtime: RuntimeDep,
    window: Annotated[int | None, Query(description="newest tickets to compare")] = None,
    refresh: Annotated[bool, Query(description="make a new report even if a recent one exists")]
    = False,
    format: Annotated[Literal["json", "html"], Query(description="json, or html for people")]
    = "json",
) -> dict[str, Any] | HTMLResponse:
    """Drift of the newest tickets against the champion's training data: text length, language
    mix, out-of-vocabulary rate, predicted labels (PSI, chi-square), confidence (KS) and a
    domain classifier (ROC AUC). A report younger than AUTOTRIAGE_DRIFT_CACHE_SECONDS is reused
    unless `refresh=true`."""
    settings = runtime.settings
    if window is not None and not settings.drift_min_tickets <= window <= 20_000:
        raise InvalidInput(
            f"window must be between {settings.drift_min_tickets} "
            f"(AUTOTRIAGE_DRIFT_MIN_TICKETS) and 20000 tickets, got {window}"
        )
    max_age = 0.0 if refresh else settings.drift_cache_seconds
    report = runtime.drift.report(window=window, max_age=max_age)
    if format == "html":
        return HTMLResponse(render_drift_report(report))
    return report
