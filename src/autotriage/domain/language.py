"""Language of a ticket, detected offline (py3langid ships its model inside the package)."""

from __future__ import annotations

import py3langid

# Detection reads the opening only: it is as accurate there and costs a fixed time.
_SAMPLE_CHARS = 200


def detect_language(text: str) -> str | None:
    sample = text[:_SAMPLE_CHARS].strip()
    if not sample:
        return None
    language, _score = py3langid.classify(sample)
    return str(language)
