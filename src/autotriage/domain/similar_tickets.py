"""Similar past tickets for reviewers: nearest labelled tickets by cosine similarity of the
live model's TF-IDF features, so a reviewer sees how tickets like this one were labelled.

The labelled pool is vectorised once per (model version, newest labelled ticket) and reused:
vectorising a few thousand texts costs far more than the page that shows the neighbours.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.preprocessing import normalize
from sqlalchemy.orm import Session

from autotriage.ml.model import TriageModel, ticket_text
from autotriage.storage import ui_repository as repo
from autotriage.storage.tables import Ticket

POOL_SIZE = 2_000


@dataclass(frozen=True)
class SimilarTicket:
    ticket_id: int
    subject: str
    similarity: float
    labels: dict[str, str]


@dataclass
class _Pool:
    key: tuple[str, int | None]
    tickets: list[repo.LabelledTicket]
    vectors: Any  # sparse, L2-normalised rows


_lock = threading.Lock()
_cached: _Pool | None = None


def _pool(session: Session, model: TriageModel) -> _Pool:
    global _cached
    key = (model.version, repo.newest_labelled_ticket_id(session))
    with _lock:
        if _cached is not None and _cached.key == key:
            return _cached
    tickets = repo.labelled_tickets(session, POOL_SIZE)
    vectors = (normalize(model.features.transform([ticket_text(t.subject, t.body)
                                                   for t in tickets]))
               if tickets else None)
    pool = _Pool(key, tickets, vectors)
    with _lock:
        _cached = pool
    return pool


def similar_tickets(session: Session, model: TriageModel | None, ticket: Ticket,
                    k: int = 5) -> list[SimilarTicket]:
    """Up to k labelled tickets most similar to `ticket` (itself excluded), best first."""
    if model is None:
        return []
    pool = _pool(session, model)
    if pool.vectors is None:
        return []
    query = normalize(model.features.transform([ticket_text(ticket.subject, ticket.body)]))
    scores = np.asarray((pool.vectors @ query.T).todense()).ravel()
    order = np.argsort(-scores, kind="stable")
    found: list[SimilarTicket] = []
    for index in order:
        candidate = pool.tickets[int(index)]
        if candidate.ticket_id == ticket.id or scores[index] <= 0:
            continue
        found.append(SimilarTicket(candidate.ticket_id, candidate.subject or candidate.body[:80],
                                   round(float(scores[index]), 3), candidate.labels))
        if len(found) == k:
            break
    return found
