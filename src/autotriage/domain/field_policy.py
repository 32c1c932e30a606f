"""Field modes (auto, suggest, shadow, off): read and set by an admin, shared by all processes."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from autotriage.domain.decision import FieldMode
from autotriage.errors import InvalidInput, NotFound
from autotriage.storage import policy_repository

MODES = [m.value for m in FieldMode]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FieldModeView:
    field: str
    mode: FieldMode
    # "setting" while no admin has set it (AUTOTRIAGE_FIELD_MODES or auto), else "admin".
    source: str
    updated_by: str | None = None
    updated_at: datetime | None = None


def list_modes(
    session: Session, fields: Sequence[str], defaults: Mapping[str, str]
) -> list[FieldModeView]:
    rows = policy_repository.field_modes(session)
    views = []
    for name in fields:
        row = rows.get(name)
        if row is not None and row.mode in MODES:
            views.append(FieldModeView(name, FieldMode(row.mode), "admin", row.updated_by,
                                       row.updated_at))
        else:
            views.append(FieldModeView(name, FieldMode(defaults.get(name, FieldMode.AUTO)),
                                       "setting"))
    return views


def current_modes(
    session: Session, fields: Sequence[str], defaults: Mapping[str, str]
) -> dict[str, FieldMode]:
    return {view.field: view.mode for view in list_modes(session, fields, defaults)}


def set_mode(
    session: Session, fields: Sequence[str], field: str, mode: str, actor: str | None
) -> FieldModeView:
    """Set one field's mode; the caller commits."""
    if field not in fields:
        raise NotFound(f"no predicted field {field!r}; the fields are {list(fields)}")
    if mode not in MODES:
        raise InvalidInput(f"unknown mode {mode!r}; use one of {MODES}")
    row = policy_repository.set_field_mode(session, field, mode, actor)
    return FieldModeView(field, FieldMode(mode), "admin", row.updated_by, row.updated_at)


class FieldModes:
    """The modes as every process sees them: read from the database at most every `ttl`
    seconds, so classifying a ticket costs no query. A change made through this process
    (`invalidate`) is seen at once; other processes see it within `ttl`."""

    def __init__(self, sessions: sessionmaker[Session], defaults: Mapping[str, str],
                 ttl: float) -> None:
        self.sessions = sessions
        self.defaults = dict(defaults)
        self.ttl = ttl
        self._cached: tuple[float, dict[str, FieldMode]] | None = None
        self._lock = threading.Lock()

    def get(self, fields: Sequence[str]) -> dict[str, FieldMode]:
        cached = self._cached
        now = time.monotonic()
        if cached is None or now - cached[0] >= self.ttl or not set(fields) <= set(cached[1]):
            cached = (now, self._read(fields, cached))
            with self._lock:
                self._cached = cached
        return {name: cached[1].get(name, FieldMode.AUTO) for name in fields}

    def _read(self, fields: Sequence[str],
              previous: tuple[float, dict[str, FieldMode]] | None) -> dict[str, FieldMode]:
        try:
            with self.sessions() as session:
                return current_modes(session, fields, self.defaults)
        except SQLAlchemyError:
            # A database hiccup must not stop classification: keep what was known last.
            log.warning("cannot read field modes; using the last known ones", exc_info=True)
            if previous is not None:
                return previous[1]
            return {name: FieldMode(self.defaults.get(name, "auto")) for name in fields}

    def invalidate(self) -> None:
        with self._lock:
            self._cached = None
