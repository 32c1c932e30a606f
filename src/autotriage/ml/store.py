"""Where trained models live, which one is the champion, and the live model of a process.

A directory per version under `<model_dir>/versions/`, and a `champion` file naming the current
version (replaced atomically). The registry issue moves this behind MLflow; callers only use
`ModelStore` and `ModelHolder`.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from autotriage.errors import ModelNotReady, NotFound
from autotriage.ml.model import TriageModel

CHAMPION_FILE = "champion"


class ModelStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.versions_dir = root / "versions"

    def save(self, model: TriageModel) -> Path:
        return model.save(self.versions_dir / model.version)

    def versions(self) -> list[str]:
        if not self.versions_dir.exists():
            return []
        return sorted(p.name for p in self.versions_dir.iterdir() if p.is_dir())

    def load(self, version: str) -> TriageModel:
        directory = self.versions_dir / version
        if not directory.is_dir():
            raise NotFound(f"no model version {version!r} in {self.versions_dir}")
        return TriageModel.load(directory)

    def champion_version(self) -> str | None:
        path = self.root / CHAMPION_FILE
        if not path.exists():
            return None
        return path.read_text().strip() or None

    def set_champion(self, version: str) -> None:
        if not (self.versions_dir / version).is_dir():
            raise NotFound(f"no model version {version!r} to make champion")
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".{CHAMPION_FILE}.{os.getpid()}.tmp"
        tmp.write_text(version + "\n")
        os.replace(tmp, self.root / CHAMPION_FILE)

    def load_champion(self) -> TriageModel:
        version = self.champion_version()
        if version is None:
            raise ModelNotReady(
                f"no champion model in {self.root}: run `autotriage train ... --champion` "
                "or start `autotriage serve`, which trains the demo model"
            )
        return self.load(version)


class ModelHolder:
    """The model a process serves with; swapped atomically, read without locking."""

    def __init__(self, model: TriageModel | None = None) -> None:
        self._model = model
        self._lock = threading.Lock()

    @property
    def model(self) -> TriageModel:
        model = self._model
        if model is None:
            raise ModelNotReady("no model is loaded yet")
        return model

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def swap(self, model: TriageModel) -> TriageModel | None:
        with self._lock:
            previous, self._model = self._model, model
        return previous
