"""Admin API of the routing rules: read, replace (validated, with line numbers), dry-run."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError

from autotriage.api.deps import CurrentUser, RuntimeDep, SessionDep
from autotriage.domain import intake
from autotriage.domain import routing as routing_rules
from autotriage.domain.rulebook import ActiveRules
from autotriage.domain.rules import parse_rules
from autotriage.errors import Conflict, InvalidInput

router = APIRouter(prefix="/api/v1/rules", tags=["rules"])
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain")


class RulesOut(BaseModel):
    version: int = Field(description="0 while the seed file is in force (nothing saved yet).")
    source: str = Field(description="`database` or `file`")
    document: str
    updated_by: str | None
    updated_at: datetime | None
    guardrails: list[str]
    rules: list[str]


class RulesIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    document: str = Field(description="The whole rules document (YAML).")


class DryRunIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: str = ""
    body: str
    sender: str | None = Field(default=None, max_length=320)
    channel: str | None = Field(default=None, max_length=50)
    received_at: datetime | None = Field(default=None, description="Default: now.")
    predicted: dict[str, str] | None = Field(
        default=None, description="Use these labels instead of the live model's predictions.")
    urgency: str | None = Field(default=None, description="Override the estimated urgency.")
    sentiment: str | None = Field(default=None, description="Override the estimated sentiment.")
    sla_breach_risk: bool | None = None
    document: str | None = Field(
        default=None, description="Try this (unsaved) rules document instead of the active one.")


class RuleCheckOut(BaseModel):
    name: str
    kind: str
    fired: bool
    why: list[str]
    actions: dict[str, Any]


class DryRunOut(BaseModel):
    rules_version: int | None = Field(description="null when `document` was given")
    predicted: dict[str, str]
    policy_decision: str | None = Field(description="The decision before rules (model used).")
    decision: str | None = Field(description="The decision after rules (model used).")
    signals: dict[str, Any]
    team: str | None
    group: str | None
    checks: list[RuleCheckOut]


def _out(active: ActiveRules) -> RulesOut:
    return RulesOut(
        version=active.version, source="database" if active.version else "file",
        document=active.document, updated_by=active.updated_by, updated_at=active.updated_at,
        guardrails=[r.name for r in active.ruleset.guardrails],
        rules=[r.name for r in active.ruleset.rules],
    )


@router.get("", response_model=RulesOut)
def get_rules(runtime: RuntimeDep, session: SessionDep) -> RulesOut:
    return _out(runtime.routing.rulebook.current(session))


@router.put("", response_model=RulesOut, openapi_extra={"requestBody": {"content": {
    "application/json": {"schema": RulesIn.model_json_schema()},
    "application/yaml": {"schema": {"type": "string"}}}}})
async def put_rules(request: Request, runtime: RuntimeDep, session: SessionDep,
                    user: CurrentUser) -> RulesOut:
    """Replace the rules: a YAML body (`content-type: application/yaml`) or JSON
    `{"document": "..."}`. An invalid document answers 422 with every error and its line;
    nothing is stored. Every process uses the new rules within AUTOTRIAGE_RULES_REFRESH_SECONDS."""
    document = await _document(request)
    rulebook = runtime.routing.rulebook
    try:
        active = rulebook.save(session, document, user)
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict("another admin saved the rules at the same moment; reload and retry") \
            from exc
    rulebook.invalidate()
    return _out(active)


async def _document(request: Request) -> str:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw = await request.body()
    try:
        if kind in YAML_TYPES:
            return raw.decode("utf-8")
        return RulesIn.model_validate_json(raw).document
    except UnicodeDecodeError as exc:
        raise InvalidInput("the rules document is not UTF-8 text") from exc
    except ValueError as exc:
        raise InvalidInput('send the rules as YAML (content-type: application/yaml) or as JSON '
                           '{"document": "<yaml>"}') from exc


@router.post("/dry-run", response_model=DryRunOut)
def dry_run_rules(payload: DryRunIn, runtime: RuntimeDep, session: SessionDep) -> DryRunOut:
    """Which rules fire for this ticket and why (the ones that do not: the first condition
    that failed). Nothing is stored."""
    intake.check_ticket(intake.NewTicket(payload.subject, payload.body),
                        runtime.settings.max_text_chars)
    if payload.document is not None:
        ruleset, version = parse_rules(payload.document), None
    else:
        active = runtime.routing.rulebook.current(session)
        ruleset, version = active.ruleset, active.version
    ticket = _Ticket(payload.subject, payload.body, payload.sender, payload.channel,
                     payload.received_at or datetime.now(UTC))
    loaded = runtime.models.loaded
    result = routing_rules.dry_run(
        runtime.routing, ruleset, ticket,
        model=runtime.models.model if loaded else None,
        policy=runtime.policy() if loaded else None, predicted=payload.predicted,
        overrides={"urgency": payload.urgency, "sentiment": payload.sentiment,
                   "sla_breach_risk": payload.sla_breach_risk,
                   "received_at": payload.received_at},
    )
    outcome = result.outcome
    return DryRunOut(
        rules_version=version, predicted=result.predicted,
        policy_decision=result.policy_decision.value if result.policy_decision else None,
        decision=result.decision.value if result.decision else None,
        signals=result.signals.as_dict(), team=outcome.team, group=outcome.group,
        checks=[RuleCheckOut(name=c.name, kind=c.kind, fired=c.fired, why=c.why,
                             actions=c.actions) for c in outcome.checks],
    )


class _Ticket:
    def __init__(self, subject: str, body: str, sender: str | None, channel: str | None,
                 created_at: datetime) -> None:
        self.subject, self.body, self.sender = subject, body, sender
        self.channel, self.created_at = channel, created_at
