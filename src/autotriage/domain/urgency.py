"""Urgency cues of a ticket: multilingual urgency and deadline words, negation, punctuation.

The cues are the features of the urgency model (ml/urgency.py), which learns from priority labels
how much each cue is worth; they are also reported as the "why" of an urgency estimate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from autotriage.domain.lexicon import CALM, DEADLINE, NEGATORS, URGENT
from autotriage.domain.sentiment import analyse, tokens, word_matches

# "URGENT:" in the first words of a ticket is a stronger signal than "urgent" in a quoted thread.
OPENING_WORDS = 12
NEGATION_SCOPE = 3
_URGENT_EXACT = {w: 1.0 for w in URGENT if not w.endswith("*")}
_URGENT_STEMS = tuple(sorted((w[:-1], 1.0) for w in URGENT if w.endswith("*")))

CUE_NAMES = (
    "urgent_words", "opening_urgent", "negated_urgent", "deadline_words", "calm_words",
    "exclamations", "shouted_share", "sentiment", "log_length",
)


@lru_cache(maxsize=65_536)
def _is_urgent(word: str) -> bool:
    return word_matches(word, _URGENT_EXACT, _URGENT_STEMS) is not None


@dataclass(frozen=True)
class UrgencyCues:
    values: tuple[float, ...]
    # Human-readable evidence, e.g. ["urgent: dringend", "deadline: heute", "3 exclamation marks"].
    evidence: tuple[str, ...]

    def as_dict(self) -> dict[str, float]:
        return dict(zip(CUE_NAMES, self.values, strict=True))


def urgency_cues(text: str) -> UrgencyCues:
    words = tokens(text)
    urgent = opening = negated = deadline = calm = 0
    evidence: list[str] = []
    negated_until = -1
    for i, (word, _shouted) in enumerate(words):
        if word in NEGATORS:
            negated_until = i + NEGATION_SCOPE
        elif _is_urgent(word):
            if i <= negated_until:
                negated += 1
                evidence.append(f"not urgent: {word}")
            else:
                urgent += 1
                opening += i < OPENING_WORDS
                evidence.append(f"urgent: {word}")
        elif word in DEADLINE:
            deadline += 1
            evidence.append(f"deadline: {word}")
        elif word in CALM:
            calm += 1
            evidence.append(f"calm: {word}")
    exclamations = min(text.count("!"), 5)
    if exclamations:
        evidence.append(f"{exclamations} exclamation mark(s)")
    shouted = sum(1 for _w, s in words if s) / max(len(words), 1)
    values = (
        float(min(urgent, 5)), float(min(opening, 2)), float(min(negated, 3)),
        float(min(deadline, 5)), float(min(calm, 3)), float(exclamations), round(shouted, 4),
        analyse(text, words).score, math.log1p(len(words)),
    )
    return UrgencyCues(values, tuple(dict.fromkeys(evidence)))
