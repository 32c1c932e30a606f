"""Where trained models live, which one is the champion (and the challenger), and the live model
of a process.

`open_store(settings)` gives the registry-backed store (MLflow, the default) or the plain folder
store (`model_registry=local`). Both keep every model they have loaded in a local folder,
`<model_dir>/versions/<version>/`, so a process that loads a version twice (or after a restart)
reads it from disk instead of the registry. Aliases say which version plays which role; the
folder store keeps them as one small file per alias, replaced atomically.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autotriage.errors import InvalidInput, ModelNotReady, NotFound
from autotriage.ml.model import MODEL_FILE, TriageModel

if TYPE_CHECKING:
    from autotriage.config import Settings
    from autotriage.ml.registry import MlflowRegistry

CHAMPION = "champion"
CHALLENGER = "challenger"
ALIASES = (CHAMPION, CHALLENGER)
CHAMPION_FILE = CHAMPION


@dataclass(frozen=True)
class StoredVersion:
    version: str
    aliases: tuple[str, ...]
    created_at: datetime | None
    registry_version: str | None = None  # MLflow's number, when the registry holds it


def report_metrics(report: dict[str, Any] | None) -> dict[str, float]:
    """Flat figures of a training report, as MLflow metrics."""
    out: dict[str, float] = {}
    for field, figures in ((report or {}).get("fields") or {}).items():
        for name in ("accuracy", "macro_f1"):
            if isinstance(figures.get(name), int | float):
                out[f"{field}.{name}"] = float(figures[name])
    if isinstance((report or {}).get("train_seconds"), int | float):
        out["train_seconds"] = float(report["train_seconds"])  # type: ignore[index]
    gate = ((report or {}).get("comparison") or {}).get("gate") or {}
    if "macro_f1" in gate:
        out["gate.macro_f1_gain"] = float(gate["macro_f1"]["gain"])
        out["gate.bootstrap_p_value"] = float(gate["bootstrap"]["p_value"])
        out["gate.promote"] = float(bool(gate["promote"]))
    return out


def _check_alias(alias: str) -> None:
    if alias not in ALIASES:
        raise InvalidInput(f"unknown alias {alias!r}; use one of {', '.join(ALIASES)}")


class ModelStore:
    """Models in a folder: `versions/<version>/` and one file per alias."""

    kind = "local"

    def __init__(self, root: Path) -> None:
        self.root = root
        self.versions_dir = root / "versions"

    def model_dir(self, version: str) -> Path:
        return self.versions_dir / version

    def save(self, model: TriageModel, *, report: dict[str, Any] | None = None) -> Path:
        directory = model.save(self.model_dir(model.version))
        if report is not None:
            from autotriage.ml.training import write_report

            write_report(report, directory)
        return directory

    def versions(self) -> list[str]:
        if not self.versions_dir.exists():
            return []
        return sorted(p.name for p in self.versions_dir.iterdir()
                      if (p / MODEL_FILE).exists())

    def has(self, version: str) -> bool:
        return (self.model_dir(version) / MODEL_FILE).exists()

    def describe(self) -> list[StoredVersion]:
        aliases = {a: self.alias_version(a) for a in ALIASES}
        return [
            StoredVersion(
                version=v, aliases=tuple(a for a, av in aliases.items() if av == v),
                created_at=datetime.fromtimestamp(
                    (self.model_dir(v) / MODEL_FILE).stat().st_mtime, UTC),
            )
            for v in self.versions()
        ]

    def load(self, version: str) -> TriageModel:
        directory = self.model_dir(version)
        if not directory.is_dir():
            raise NotFound(f"no model version {version!r} in {self.versions_dir}")
        return TriageModel.load(directory)

    def alias_version(self, alias: str) -> str | None:
        path = self.root / alias
        if not path.exists():
            return None
        return path.read_text().strip() or None

    def set_alias(self, alias: str, version: str) -> None:
        _check_alias(alias)
        if not self.has(version):
            raise NotFound(f"no model version {version!r} to make {alias}")
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".{alias}.{os.getpid()}.{threading.get_ident()}.tmp"
        tmp.write_text(version + "\n")
        os.replace(tmp, self.root / alias)

    def clear_alias(self, alias: str) -> None:
        _check_alias(alias)
        (self.root / alias).unlink(missing_ok=True)

    def champion_version(self) -> str | None:
        return self.alias_version(CHAMPION)

    def set_champion(self, version: str) -> None:
        self.set_alias(CHAMPION, version)

    def load_champion(self) -> TriageModel:
        version = self.champion_version()
        if version is None:
            raise ModelNotReady(
                f"no champion model in {self.where()}: run `autotriage train ... --champion` "
                "or start `autotriage serve`, which trains the demo model"
            )
        return self.load(version)

    def where(self) -> str:
        return str(self.root)


class RegistryModelStore(ModelStore):
    """Models in the MLflow registry; the local folder is a cache of what this machine loaded."""

    kind = "mlflow"

    def __init__(self, root: Path, registry: MlflowRegistry) -> None:
        super().__init__(root)
        self.registry = registry

    def save(self, model: TriageModel, *, report: dict[str, Any] | None = None) -> Path:
        directory = super().save(model, report=report)
        info = model.info
        params = {"fields": ",".join(model.fields), "n_train": info.get("n_train"),
                  "features": info.get("features", "tfidf"),
                  **{f"lib.{k}": v for k, v in (info.get("libraries") or {}).items()}}
        tags = {"model_version": model.version,
                "data_fingerprint": str(info.get("data_fingerprint") or "")}
        # The folder holds the model files and the evaluation report with its plots.
        run_id = self.registry.log_run(directory, params=params, metrics=report_metrics(report),
                                       tags=tags)
        self.registry.register(run_id, model.version)
        return directory

    def versions(self) -> list[str]:
        return [v.model_version for v in self.registry.versions()]

    def has(self, version: str) -> bool:
        return version in self.versions()

    def describe(self) -> list[StoredVersion]:
        return [StoredVersion(v.model_version, v.aliases, v.created_at, v.number)
                for v in self.registry.versions()]

    def load(self, version: str) -> TriageModel:
        directory = self.model_dir(version)
        if not (directory / MODEL_FILE).exists():
            self._fetch(version, directory)
        return TriageModel.load(directory)

    def _fetch(self, version: str, directory: Path) -> None:
        # Download beside the cache and rename into place: a process reading the cache never
        # sees half a model, and two processes fetching at once both end with a whole one.
        self.versions_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{version}.", dir=self.versions_dir))
        try:
            files = self.registry.download(version, staging / "download")
            try:
                os.replace(files, directory)
            except OSError:
                if not (directory / MODEL_FILE).exists():
                    raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def alias_version(self, alias: str) -> str | None:
        return self.registry.alias(alias)

    def set_alias(self, alias: str, version: str) -> None:
        _check_alias(alias)
        self.registry.set_alias(alias, version)

    def clear_alias(self, alias: str) -> None:
        _check_alias(alias)
        self.registry.delete_alias(alias)

    def where(self) -> str:
        return f"registered model {self.registry.model_name!r} at {self.registry.tracking_uri}"


def open_store(settings: Settings) -> ModelStore:
    """The store the settings name: MLflow (default) or a plain folder."""
    if settings.model_registry == "local":
        return ModelStore(settings.resolved_model_dir)
    # Imported here: only the registry-backed store pays for importing MLflow.
    from autotriage.ml.registry import MlflowRegistry, tracking_uri_for

    uri = tracking_uri_for(settings.mlflow_tracking_uri, settings.data_dir)
    # A tracking server keeps artifacts where it is configured to; a local store, beside it.
    local = uri.startswith(("sqlite:", "file:")) or "://" not in uri
    registry = MlflowRegistry(uri, settings.registered_model_name,
                              artifact_root=settings.data_dir / "mlartifacts" if local else None)
    return RegistryModelStore(settings.resolved_model_dir, registry)


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

    @property
    def version(self) -> str | None:
        model = self._model
        return model.version if model is not None else None

    def swap(self, model: TriageModel | None) -> TriageModel | None:
        with self._lock:
            previous, self._model = self._model, model
        return previous
