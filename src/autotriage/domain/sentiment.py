"""Offline multilingual sentiment from the project's own lexicon, with negation and intensifiers.

No model download, no language switch: the lexicon holds en/de/es/fr side by side and the words
of one language rarely mean something else in another. The score is the summed polarity squashed
into [-1, 1] (VADER's normalisation), so a long ticket is not more negative only by being long.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from autotriage.domain.lexicon import INTENSIFIERS, NEGATORS, POLARITY

SENTIMENTS = ("negative", "neutral", "positive")
# A negated word keeps half its strength with the sign flipped: "not good" is mildly negative,
# not as negative as "bad" (the usual shift rule of lexicon methods).
NEGATION_FACTOR = -0.5
NEGATION_SCOPE = 3
# Shouting and exclamation marks strengthen what is already there; they carry no sign.
CAPS_BOOST = 1.5
EXCLAMATION_BOOST = 0.15
NORMALISATION_ALPHA = 15.0
NEGATIVE_BELOW = -0.25
POSITIVE_ABOVE = 0.35

_TOKEN = re.compile(r"[^\W\d_]+", re.UNICODE)
_CONTRACTION = re.compile(r"n't\b", re.IGNORECASE)
_STEMS = tuple(sorted((w[:-1], v) for w, v in POLARITY.items() if w.endswith("*")))
_EXACT = {w: v for w, v in POLARITY.items() if not w.endswith("*")}


@dataclass(frozen=True)
class Sentiment:
    label: str
    score: float
    # The words that moved the score, with their signed contribution, for "why" in rules.
    hits: list[tuple[str, float]] = field(default_factory=list)


def fold(text: str) -> str:
    """Lower-case and strip accents, so 'Déçu' and 'decu' are the same word."""
    decomposed = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@lru_cache(maxsize=65_536)
def _fold_word(word: str) -> str:
    return fold(word)


def tokens(text: str) -> list[tuple[str, bool]]:
    """(folded word, written in capitals) pairs; "don't" becomes "do not"."""
    text = _CONTRACTION.sub(" not", text)
    return [(_fold_word(w), w.isupper() and len(w) > 2) for w in _TOKEN.findall(text)]


def word_matches(word: str, exact: dict[str, float], stems: tuple[tuple[str, float], ...]
                 ) -> float | None:
    if word in exact:
        return exact[word]
    for stem, value in stems:
        if word.startswith(stem):
            return value
    return None


@lru_cache(maxsize=65_536)
def polarity(word: str) -> float | None:
    return word_matches(word, _EXACT, _STEMS)


def _polar(word: str) -> bool:
    return polarity(word) is not None


def analyse(text: str, words: list[tuple[str, bool]] | None = None) -> Sentiment:
    """`words`: the text's `tokens`, when the caller has them already."""
    words = tokens(text) if words is None else words
    total = 0.0
    hits: list[tuple[str, float]] = []
    negated_until = -1
    boost = 1.0
    for i, (word, shouted) in enumerate(words):
        if word in NEGATORS:
            negated_until = i + NEGATION_SCOPE
            continue
        following = words[i + 1][0] if i + 1 < len(words) else ""
        if word in INTENSIFIERS and (word not in _EXACT or _polar(following)):
            boost = INTENSIFIERS[word]
            continue
        value = polarity(word)
        if value is not None:
            value *= boost * (CAPS_BOOST if shouted else 1.0)
            if i <= negated_until:
                value *= NEGATION_FACTOR
                word = f"not {word}"
            total += value
            hits.append((word, round(value, 2)))
        boost = 1.0
    if total:
        exclamations = min(text.count("!"), 4)
        total += math.copysign(EXCLAMATION_BOOST * exclamations, total)
    score = total / math.sqrt(total * total + NORMALISATION_ALPHA)
    return Sentiment(label_for(score), round(score, 4), hits)


def label_for(score: float) -> str:
    if score <= NEGATIVE_BELOW:
        return "negative"
    if score >= POSITIVE_ABOVE:
        return "positive"
    return "neutral"
