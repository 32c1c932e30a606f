"""The active rules of this process: the newest stored version, re-checked every few seconds.

Rules live in the database so every process (API, workers on other machines) sees the same
version; each process keeps the parsed rule set and only asks for the version number when its
cache is older than `refresh_seconds`. Until an admin saves rules, the seed file is in force.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from autotriage.domain.rules import RuleSet, parse_rules
from autotriage.storage import rules_repository

DEFAULT_RULES_FILE = Path(__file__).with_name("rules.yaml")


@dataclass(frozen=True)
class ActiveRules:
    version: int  # 0: the seed file, nothing saved yet
    document: str
    ruleset: RuleSet
    updated_by: str | None = None
    updated_at: datetime | None = None


class RuleBook:
    def __init__(self, seed_file: Path | None, refresh_seconds: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.seed_file = seed_file or DEFAULT_RULES_FILE
        self.refresh_seconds = refresh_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._active: ActiveRules | None = None
        self._checked_at = float("-inf")
        # A broken seed file should stop the process at start, not every ticket later.
        self._seed = self._read_seed()

    def _read_seed(self) -> ActiveRules:
        document = self.seed_file.read_text(encoding="utf-8")
        return ActiveRules(0, document, parse_rules(document))

    def current(self, session: Session) -> ActiveRules:
        with self._lock:
            now = self._clock()
            if self._active is not None and now - self._checked_at < self.refresh_seconds:
                return self._active
            version = rules_repository.active_version(session)
            if version is None:
                self._active = self._seed
            elif self._active is None or self._active.version != version:
                row = rules_repository.active_rules(session)
                assert row is not None
                # Stored documents were validated when saved.
                self._active = ActiveRules(row.version, row.document, parse_rules(row.document),
                                           row.updated_by, row.updated_at)
            self._checked_at = now
            return self._active

    def save(self, session: Session, document: str, updated_by: str | None) -> ActiveRules:
        """Validate and store a new version (RulesInvalid names the lines); the caller commits
        and then calls `invalidate` so this process uses it at once."""
        ruleset = parse_rules(document)
        version = rules_repository.save_rules(session, document, updated_by)
        return ActiveRules(version, document, ruleset, updated_by)

    def invalidate(self) -> None:
        with self._lock:
            self._checked_at = float("-inf")
