"""Shadow predictions: the challenger classifies live tickets beside the champion.

Its predictions are stored (one row per ticket and model version) with the decision `shadow`;
they never change a ticket's status, decision or current prediction. Runs after the champion's
batch has committed, in its own transaction, so a failing challenger cannot hold tickets back.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from sqlalchemy.orm import Session, sessionmaker

from autotriage.ml.model import ticket_text
from autotriage.ml.store import ModelHolder
from autotriage.storage import model_repository as repo

log = logging.getLogger(__name__)

SHADOW = "shadow"


class ShadowPredictor:
    def __init__(self, sessions: sessionmaker[Session], challenger: ModelHolder) -> None:
        self.sessions = sessions
        self.challenger = challenger
        self.stored = 0

    def __call__(self, ticket_ids: Sequence[int]) -> None:
        if not self.challenger.loaded or not ticket_ids:
            return
        model = self.challenger.model
        try:
            with self.sessions() as session:
                tickets = repo.tickets_by_id(session, ticket_ids)
                if not tickets:
                    return
                started = time.perf_counter()
                results = model.predict([ticket_text(t.subject, t.body) for t in tickets], k=3)
                latency_ms = (time.perf_counter() - started) * 1000 / len(tickets)
                items = [
                    repo.ShadowPrediction(ticket.id, SHADOW, latency_ms, [
                        {"field": name, "label": r.label, "confidence": r.confidence,
                         "top": [[label, p] for label, p in r.top], "decision": SHADOW}
                        for name, r in fields.items()
                    ])
                    for ticket, fields in zip(tickets, results, strict=True)
                ]
                self.stored += repo.store_shadow_predictions(session, model.version, items)
                session.commit()
        except Exception:
            log.exception("shadow prediction with %s failed; the tickets are not affected",
                          model.version)
