"""Business statistics: volume, automation, review workload, realized precision, time saved,
SLA risk, under /api/v1/stats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from autotriage.api.deps import RuntimeDep, SessionDep
from autotriage.storage import stats_repository
from autotriage.storage.tables import TicketStatus

router = APIRouter(prefix="/api/v1", tags=["stats"])
WAITING = (TicketStatus.IN_REVIEW, TicketStatus.ESCALATED)


class PrecisionOut(BaseModel):
    field: str
    decision: str | None
    labelled: int = Field(description="Tickets with a feedback or resolution label")
    correct: int
    precision: float | None


class StatsOut(BaseModel):
    since: datetime
    days: int
    tickets: int
    by_status: dict[str, int]
    by_decision: dict[str, int]
    automation_rate: float | None = Field(description="auto-routed / decided")
    review_backlog: dict[str, int] = Field(description="Tickets waiting now, by status")
    reviewed: int = Field(description="Tickets of the window that got a verdict")
    realized_precision: list[PrecisionOut]
    reviewer_minutes_per_ticket: float
    reviewer_hours_saved: float = Field(description="auto-routed x minutes per ticket / 60")
    urgency: dict[str, int]
    sentiment: dict[str, int]
    teams: dict[str, int]
    sla_breach_risk: dict[str, int] = Field(description="Tickets with risk true / false")
    sla_breach_risk_waiting: int = Field(description="At-risk tickets still waiting for people")


@router.get("/stats", response_model=StatsOut)
def stats(runtime: RuntimeDep, session: SessionDep,
          days: Annotated[int, Query(ge=1, le=3650)] = 30) -> StatsOut:
    since = datetime.now(UTC) - timedelta(days=days)
    volume = stats_repository.volume(session, since)
    decided = sum(volume["by_decision"].values())
    auto = volume["by_decision"].get("auto_route", 0)
    signals = stats_repository.signal_counts(session, since)
    minutes = runtime.settings.reviewer_minutes_per_ticket
    return StatsOut(
        since=since, days=days, tickets=volume["tickets"], by_status=volume["by_status"],
        by_decision=volume["by_decision"],
        automation_rate=round(auto / decided, 4) if decided else None,
        review_backlog=stats_repository.open_count(session, WAITING),
        reviewed=volume["by_status"].get("reviewed", 0),
        realized_precision=[_precision(row)
                            for row in stats_repository.realized_precision(session, since)],
        reviewer_minutes_per_ticket=minutes,
        reviewer_hours_saved=round(auto * minutes / 60, 2),
        urgency=signals["urgency"], sentiment=signals["sentiment"], teams=signals["team"],
        sla_breach_risk=signals["sla_breach_risk"],
        sla_breach_risk_waiting=stats_repository.open_sla_risk(session, WAITING),
    )


def _precision(row: dict[str, Any]) -> PrecisionOut:
    labelled = row["labelled"]
    return PrecisionOut(**row, precision=round(row["correct"] / labelled, 4) if labelled else None)
