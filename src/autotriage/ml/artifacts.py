"""Save and load an optional model object (urgency, SLA) as joblib plus a JSON info file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypeVar

import joblib

T = TypeVar("T")


def save(obj: object, info: dict[str, Any], directory: Path, model_file: str,
         info_file: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    joblib.dump(obj, directory / model_file, compress=3)
    (directory / info_file).write_text(json.dumps(info, indent=2))
    return directory


def load_optional(directory: Path, model_file: str, kind: type[T]) -> T | None:
    """The stored object, or None when none was trained; TypeError for a file of another kind."""
    path = directory / model_file
    if not path.exists():
        return None
    obj = joblib.load(path)
    if not isinstance(obj, kind):
        raise TypeError(f"{path} does not hold a {kind.__name__}")
    return obj
