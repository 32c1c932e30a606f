"""The order in which reviewers see the queue: most informative, oldest or highest priority.

"Most informative" ranks by uncertainty (1 - the margin between the top two labels, taking the
least certain field of the ticket), then pushes near-duplicates of tickets already ranked
higher down the list, so one burst of identical tickets cannot fill the top of the queue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sklearn.preprocessing import normalize
from sqlalchemy.orm import Session

from autotriage.ml.model import TriageModel, ticket_text
from autotriage.storage import review_repository as repo
from autotriage.storage.tables import Ticket

ORDERS = ("informative", "oldest", "priority")
# Cosine similarity of TF-IDF vectors above which two tickets count as near-duplicates.
NEAR_DUPLICATE = 0.8
# The informative order re-ranks this many times `limit` of the least confident tickets.
POOL_FACTOR = 5
MAX_POOL = 1_000


@dataclass(frozen=True)
class QueueItem:
    ticket: Ticket
    uncertainty: float


@dataclass(frozen=True)
class QueueQuery:
    statuses: tuple[str, ...]
    order: str
    limit: int
    reviewer: str
    now: datetime
    priority_field: str
    priority_ranking: tuple[str, ...]
    include_own: bool = True  # list the reviewer's own claimed tickets too


def uncertainty(ticket: Ticket) -> float:
    prediction = ticket.prediction
    if prediction is None or not prediction.fields:
        return 1.0
    worst = 0.0
    for fp in prediction.fields:
        probs = [float(p) for _, p in fp.top] + [0.0, 0.0]
        worst = max(worst, 1.0 - (probs[0] - probs[1]))
    return worst


def list_queue(session: Session, model: TriageModel | None, query: QueueQuery) -> list[QueueItem]:
    if query.order == "informative":
        pool_size = min(max(query.limit * POOL_FACTOR, 100), MAX_POOL)
        pool = repo.queue_tickets(session, query.statuses, now=query.now, reviewer=query.reviewer,
                                  limit=pool_size, order="uncertain",
                                  include_own=query.include_own)
        return diverse_by_uncertainty(model, pool)[: query.limit]
    tickets = repo.queue_tickets(
        session, query.statuses, now=query.now, reviewer=query.reviewer, limit=query.limit,
        order=query.order, priority_field=query.priority_field,
        priority_ranking=query.priority_ranking, include_own=query.include_own,
    )
    return [QueueItem(t, uncertainty(t)) for t in tickets]


def diverse_by_uncertainty(model: TriageModel | None, tickets: Sequence[Ticket]) -> list[QueueItem]:
    """Most uncertain first; a near-duplicate of a ticket already placed waits until every
    distinct ticket has been placed (then the same rule applies among the waiting ones)."""
    scored = sorted(((uncertainty(t), t) for t in tickets), key=lambda st: (-st[0], st[1].id))
    if model is None or len(scored) < 2:
        return [QueueItem(t, u) for u, t in scored]
    vectors = normalize(model.features.transform([ticket_text(t.subject, t.body)
                                                  for _, t in scored]))
    similarity = (vectors @ vectors.T).toarray()
    remaining = list(range(len(scored)))
    ordered: list[int] = []
    while remaining:
        placed: list[int] = []
        waiting: list[int] = []
        for index in remaining:
            if placed and np.max(similarity[index, placed]) >= NEAR_DUPLICATE:
                waiting.append(index)
            else:
                placed.append(index)
        ordered.extend(placed)
        remaining = waiting
    return [QueueItem(scored[i][1], scored[i][0]) for i in ordered]
