"""Liveness and readiness probes (outside /api/v1, for load balancers and orchestrators)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from autotriage.api.deps import RuntimeDep
from autotriage.storage.db import ping

router = APIRouter(tags=["health"])


@router.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/ready")
def ready(runtime: RuntimeDep) -> JSONResponse:
    checks: dict[str, str] = {}
    try:
        ping(runtime.engine)
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"unreachable: {type(exc).__name__}"
    checks["model"] = runtime.models.model.version if runtime.models.loaded else "not loaded"
    # Reported, not required (issue 6): without the queue this process still serves reads and
    # the review UI, and intake answers 503 with Retry-After itself.
    try:
        checks["queue"] = f"ok (backlog {runtime.queue.backlog()})"
    except Exception as exc:
        checks["queue"] = f"unreachable: {type(exc).__name__}"
    ok = checks["database"] == "ok" and runtime.models.loaded
    return JSONResponse({"status": "ready" if ok else "not ready", "checks": checks},
                        status_code=200 if ok else 503)
