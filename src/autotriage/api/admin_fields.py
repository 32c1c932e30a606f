"""Admin: the mode of each predicted field (auto, suggest, shadow, off), under /api/v1/admin."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from autotriage.api.deps import CurrentUser, RuntimeDep, SessionDep
from autotriage.domain import field_policy
from autotriage.domain.field_policy import FieldModeView
from autotriage.runtime import Runtime

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])


class FieldModeIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    mode: str = Field(description="auto | suggest | shadow | off", examples=["suggest"])


class FieldModeOut(BaseModel):
    field: str
    mode: str
    source: str = Field(description="`setting` (AUTOTRIAGE_FIELD_MODES / default) or `admin`")
    updated_by: str | None
    updated_at: datetime | None
    target_precision: float | None = Field(
        description="The precision the live model's thresholds guarantee for this field."
    )
    auto_routable_classes: list[str] = Field(
        description="Classes with a proven threshold; the others are never auto-routed."
    )


class FieldModesOut(BaseModel):
    fields: list[FieldModeOut]
    modes: list[str]


def _out(view: FieldModeView, runtime: Runtime) -> FieldModeOut:
    info = runtime.models.model.info if runtime.models.loaded else {}
    learnt = info.get("thresholds", {}).get(view.field) or {}
    classes = learnt.get("classes", {})
    return FieldModeOut(
        field=view.field, mode=view.mode.value, source=view.source, updated_by=view.updated_by,
        updated_at=view.updated_at, target_precision=learnt.get("target_precision"),
        auto_routable_classes=sorted(c for c, t in classes.items() if t is not None),
    )


@router.get("/fields", response_model=FieldModesOut)
def list_field_modes(runtime: RuntimeDep, session: SessionDep) -> FieldModesOut:
    views = field_policy.list_modes(session, runtime.fields(), runtime.settings.field_modes)
    return FieldModesOut(fields=[_out(v, runtime) for v in views], modes=field_policy.MODES)


@router.put("/fields/{field}", response_model=FieldModeOut)
def set_field_mode(
    field: str,
    payload: FieldModeIn,
    runtime: RuntimeDep,
    session: SessionDep,
    user: CurrentUser,
) -> FieldModeOut:
    """Set how a field's predictions are used; every process applies it within
    `AUTOTRIAGE_FIELD_MODES_TTL_SECONDS`. The actor is the authenticated admin (issue 9)."""
    view = field_policy.set_mode(session, runtime.fields(), field, payload.mode, user)
    session.commit()
    runtime.field_modes.invalidate()
    return _out(view, runtime)
