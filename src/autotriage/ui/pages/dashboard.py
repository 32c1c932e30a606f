"""Dashboard: today's and this week's volume, automation, backlog, realized precision, latency,
and daily charts; every figure is read from the database when the page is asked for."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from autotriage.domain.decision import Decision
from autotriage.storage import metrics_repository, repository
from autotriage.storage import ui_repository as repo
from autotriage.storage.tables import Role
from autotriage.ui.deps import Viewer, render, require, runtime_of

router = APIRouter(include_in_schema=False)
CHART_DAYS = 14
PRECISION_DAYS = 30
RECENT = 10
LATENCY_WINDOW = 5_000  # newest classifications the p95 latency is taken over
DECISIONS = {d.value for d in Decision}
WAITING = metrics_repository.WAITING_FOR_PEOPLE


def _days(today: date) -> list[str]:
    return [(today - timedelta(days=n)).isoformat() for n in range(CHART_DAYS - 1, -1, -1)]


def headline(session: Session, series: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Today's and the last seven (UTC calendar) days' figures, from the daily series."""
    week = series["decisions"][-7:]
    by_decision: dict[str, int] = {}
    for day in week:
        for kind, n in day.items():
            by_decision[kind] = by_decision.get(kind, 0) + n
    decided = sum(n for kind, n in by_decision.items() if kind in DECISIONS)
    backlog = metrics_repository.status_backlogs(session, WAITING)
    oldest = [b.oldest for b in backlog.values() if b.oldest is not None]
    precision = metrics_repository.auto_route_precision(session, now - timedelta(PRECISION_DAYS))
    p95, latency_n = repo.latency_quantile(session, LATENCY_WINDOW, 0.95)
    return {
        "today": series["volume"][-1],
        "week": sum(series["volume"][-7:]),
        "auto_route_rate": by_decision.get("auto_route", 0) / decided if decided else None,
        "decided_week": decided,
        "backlog": sum(b.count for b in backlog.values()),
        "backlog_by_status": {s: b.count for s, b in backlog.items()},
        "oldest": min(oldest) if oldest else None,
        "precision": {f: (p.correct / p.checked if p.checked else None, p.checked)
                      for f, p in precision.items()},
        "precision_checked": sum(p.checked for p in precision.values()),
        "p95_latency_ms": p95,
        "latency_n": latency_n,
    }


def charts(session: Session, field: str | None, now: datetime) -> dict[str, Any]:
    since = datetime.combine(now.date() - timedelta(days=CHART_DAYS - 1), datetime.min.time(),
                             tzinfo=UTC)
    days = _days(now.date())
    decisions = repo.daily_decisions(session, since)
    labels, confidence = repo.daily_field(session, field, since) if field else ({}, {})
    return {
        "days": days,
        "volume": [sum(decisions.get(d, {}).values()) for d in days],
        "decisions": [decisions.get(d, {}) for d in days],
        "confidence": [confidence.get(d) for d in days],
        "by_label": [labels.get(d, {}) for d in days],
        "field": field,
    }


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request,
              who: Annotated[Viewer, Depends(require(Role.REVIEWER))]) -> HTMLResponse:
    runtime = runtime_of(request)
    now = datetime.now(UTC)
    fields = runtime.fields()
    with runtime.sessions() as session:
        series = charts(session, fields[0] if fields else None, now)
        figures = headline(session, series, now)
        recent = repository.list_tickets(session, repository.TicketFilter(), before_id=None,
                                         limit=RECENT)
        return render(request, "dashboard.html", who, figures=figures, series=series,
                      precision_days=PRECISION_DAYS, chart_days=CHART_DAYS, recent=recent,
                      model_version=runtime.models.version)
