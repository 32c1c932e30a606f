"""Label-error candidates by out-of-sample confident learning (cleanlab).

Every verified label is scored by a classifier that never saw it (cross-validated predicted
probabilities); cleanlab's confident joint then flags the labels whose given class the
out-of-sample model confidently disagrees with.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from cleanlab.filter import find_label_issues
from scipy.sparse import spmatrix
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from threadpoolctl import threadpool_limits

MAX_FOLDS = 5
MIN_PER_CLASS = 2  # a class needs examples in at least two folds to be scored out of sample


@dataclass(frozen=True)
class LabelIssue:
    index: int  # position in the input
    given: str
    suggested: str
    self_confidence: float  # out-of-sample probability of the given label
    suggested_confidence: float


def scorable(labels: Sequence[str]) -> list[int]:
    """Positions whose class has enough examples to be scored out of sample."""
    counts = Counter(labels)
    return [i for i, label in enumerate(labels) if counts[label] >= MIN_PER_CLASS]


def find_issues(features: spmatrix, labels: Sequence[str], *, seed: int = 0) -> list[LabelIssue]:
    """Label issues among `labels` (rows of `features`), most likely errors first. Needs at
    least two classes with MIN_PER_CLASS examples each (see `scorable`)."""
    classes = sorted(set(labels))
    index = {c: i for i, c in enumerate(classes)}
    y = np.array([index[label] for label in labels])
    folds = min(MAX_FOLDS, int(np.bincount(y).min()))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    head = LogisticRegression(C=10.0, solver="newton-cg", max_iter=300)
    with threadpool_limits(1):
        probs = cross_val_predict(head, features, y, cv=splitter, method="predict_proba")
    ranked = find_label_issues(y, probs, return_indices_ranked_by="self_confidence")
    return [
        LabelIssue(
            index=int(i),
            given=classes[y[i]],
            suggested=classes[int(np.argmax(probs[i]))],
            self_confidence=float(probs[i, y[i]]),
            suggested_confidence=float(np.max(probs[i])),
        )
        for i in ranked
    ]
