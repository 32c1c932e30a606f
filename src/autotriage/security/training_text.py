"""Redaction of the texts a retrain learns from and is judged on (AUTOTRIAGE_REDACT_TRAINING_TEXT).

Applied when the retraining data is assembled, not at intake: the stored ticket keeps what the
customer wrote (reviewers need the address or number to do their work), while no model trained
from then on carries personal data in its vocabulary. Evaluation texts are redacted too, so the
challenger and the champion are compared on the same text.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from autotriage.domain.retraining import TEXT, RetrainData
from autotriage.security.pii import redact


def _redacted(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out[TEXT] = out[TEXT].map(lambda text: redact(text) if isinstance(text, str) else text)
    return out


def redact_training_data(data: RetrainData) -> RetrainData:
    return replace(data, train=_redacted(data.train), golden=_redacted(data.golden),
                   recent=_redacted(data.recent),
                   summary={**data.summary, "texts_redacted": True})
