"""Models: registered versions, champion and challenger, comparison reports of retraining runs,
the serving model's thresholds, and (for admins) retrain, promote and rollback through the
admin API (/api/v1/admin/models)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from autotriage.domain import model_admin
from autotriage.storage import model_repository
from autotriage.storage.tables import Role
from autotriage.ui.deps import Viewer, render, require, runtime_of

router = APIRouter(include_in_schema=False)


def thresholds_view(info: dict[str, Any]) -> list[dict[str, Any]]:
    """Per field: the precision target, calibration and each class's auto-route threshold."""
    out = []
    for field, spec in (info.get("thresholds") or {}).items():
        calibration = (info.get("calibration") or {}).get(field, {})
        out.append({
            "field": field, "target": spec.get("target_precision"), "delta": spec.get("delta"),
            "n_calibration": spec.get("n_calibration"), "method": calibration.get("method"),
            "ece": calibration.get("ece_after"),
            "classes": sorted((spec.get("classes") or {}).items()),
        })
    return out


@router.get("/models", response_class=HTMLResponse)
def models_page(request: Request,
                who: Annotated[Viewer, Depends(require(Role.ADMIN))]) -> HTMLResponse:
    runtime = runtime_of(request)
    with runtime.sessions() as session:
        overview = model_admin.overview(session, runtime.store, serving=runtime.models.version,
                                        history=20)
        runs = model_repository.recent_runs(session, limit=10)
        info = runtime.models.model.info if runtime.models.loaded else {}
        return render(request, "models.html", who, overview=overview, runs=runs,
                      reports=[r for r in runs if r.report and r.report.get("gate")][:3],
                      thresholds=thresholds_view(info), info=info)
