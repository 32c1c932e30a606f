"""Dead letters under /api/v1/dead-letters: messages that failed `max_attempts` times.

Their tickets show status `failed`; re-driving makes them `received` again and queues them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from autotriage.api.deps import CurrentUser, RuntimeDep
from autotriage.errors import InvalidInput
from autotriage.queue.base import DeadLetter
from autotriage.worker import dead_letters

router = APIRouter(prefix="/api/v1/dead-letters", tags=["dead letters"])


class DeadLetterOut(BaseModel):
    id: str
    ticket_id: int
    attempts: int
    reason: str
    failed_at: datetime

    @classmethod
    def of(cls, letter: DeadLetter) -> DeadLetterOut:
        return cls(id=letter.id, ticket_id=letter.ticket_id, attempts=letter.attempts,
                   reason=letter.reason, failed_at=letter.failed_at)


class DeadLetterPage(BaseModel):
    items: list[DeadLetterOut]
    total: int


class RedriveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ids: list[str] | None = Field(default=None, max_length=1000,
                                  description="dead-letter ids from the list")
    all: bool = Field(default=False, description="re-drive the oldest `limit` dead letters")
    limit: int = Field(default=1000, ge=1, le=10_000)


class RedriveOut(BaseModel):
    redriven: list[DeadLetterOut]
    not_found: list[str]


@router.get("", response_model=DeadLetterPage)
def list_dead_letters(
    runtime: RuntimeDep, limit: Annotated[int | None, Query(ge=1)] = None
) -> DeadLetterPage:
    """The oldest dead letters first, and how many there are."""
    size = limit or runtime.settings.default_page_size
    if size > runtime.settings.max_page_size:
        raise InvalidInput(f"limit {size} is over the maximum page size "
                           f"{runtime.settings.max_page_size}")
    letters = runtime.queue.dead_letters(size)
    return DeadLetterPage(items=[DeadLetterOut.of(x) for x in letters],
                          total=runtime.queue.dead_letter_count())


@router.post("/redrive", response_model=RedriveOut)
def redrive(payload: RedriveIn, runtime: RuntimeDep, user: CurrentUser) -> RedriveOut:
    """Queue the tickets of these dead letters again (`ids`), or of the oldest ones (`all`)."""
    if bool(payload.ids) == payload.all:
        raise InvalidInput("send either a non-empty `ids` list or `all: true`, not both")
    moved = dead_letters.redrive(runtime.sessions, runtime.queue,
                                 None if payload.all else payload.ids,
                                 limit=payload.limit, actor=user)
    found = {letter.id for letter in moved}
    return RedriveOut(redriven=[DeadLetterOut.of(x) for x in moved],
                      not_found=[i for i in payload.ids or [] if i not in found])
