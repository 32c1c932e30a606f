"""MLflow tracking and model registry: the only module that imports mlflow.

Every stored model is one MLflow run (parameters, metrics, dataset fingerprint, the model files
and the evaluation artifacts) and one version of a registered model. Which version serves is
said by the aliases `champion` and `challenger` (aliases, not the deprecated stages). Embedded:
a SQLite tracking store and an artifact folder inside the data directory, no server.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# MLflow reads these when it is imported: no progress bars in logs, no telemetry calls home.
os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DO_NOT_TRACK", "true")

from mlflow import MlflowClient  # noqa: E402 - after the environment above
from mlflow.exceptions import MlflowException  # noqa: E402

from autotriage.errors import NotFound, ServiceUnavailable  # noqa: E402

log = logging.getLogger(__name__)

# The model's own version string (what predictions record) is kept as a tag of its version.
VERSION_TAG = "model_version"
EXPERIMENT = "autotriage"
MODEL_ARTIFACTS = "model"


@dataclass(frozen=True)
class RegistryVersion:
    number: str  # MLflow's version number of the registered model
    model_version: str
    run_id: str
    aliases: tuple[str, ...]
    created_at: datetime


def tracking_uri_for(explicit: str, data_dir: Path) -> str:
    """The setting, else MLflow's own MLFLOW_TRACKING_URI, else a SQLite store in data_dir."""
    uri = explicit or os.environ.get("MLFLOW_TRACKING_URI", "")
    return uri or f"sqlite:///{(data_dir / 'mlflow.db').resolve()}"


class MlflowRegistry:
    def __init__(self, tracking_uri: str, model_name: str, artifact_root: Path | None) -> None:
        self.tracking_uri = tracking_uri
        self.model_name = model_name
        self.artifact_root = artifact_root
        self.client = MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
        self._experiment_id: str | None = None
        self._lock = threading.Lock()

    def _experiment(self) -> str:
        with self._lock:
            if self._experiment_id is None:
                found = self.client.get_experiment_by_name(EXPERIMENT)
                if found is not None:
                    self._experiment_id = found.experiment_id
                else:
                    # A local store needs an artifact location it owns; a server has its own.
                    location = self.artifact_root.resolve().as_uri() if self.artifact_root else None
                    self._experiment_id = self._create_experiment(location)
            return self._experiment_id

    def _create_experiment(self, location: str | None) -> str:
        try:
            return self.client.create_experiment(EXPERIMENT, artifact_location=location)
        except MlflowException:  # another process created it first
            found = self.client.get_experiment_by_name(EXPERIMENT)
            if found is None:
                raise
            return str(found.experiment_id)

    def log_run(self, model_dir: Path, *, params: dict[str, Any], metrics: dict[str, float],
                tags: dict[str, str]) -> str:
        """One finished run holding the model folder."""
        run = self.client.create_run(self._experiment(), tags=tags,
                                     run_name=tags.get(VERSION_TAG))
        run_id = run.info.run_id
        try:
            for key, value in params.items():
                self.client.log_param(run_id, key, str(value)[:6000])
            for key, value in metrics.items():
                self.client.log_metric(run_id, key, float(value))
            self.client.log_artifacts(run_id, str(model_dir), MODEL_ARTIFACTS)
        except Exception:
            self.client.set_terminated(run_id, "FAILED")
            raise
        self.client.set_terminated(run_id)
        return run_id

    def log_artifacts(self, run_id: str, folder: Path, path: str) -> None:
        self.client.log_artifacts(run_id, str(folder), path)

    def register(self, run_id: str, model_version: str) -> str:
        try:
            self.client.create_registered_model(self.model_name)
        except MlflowException as exc:
            if "RESOURCE_ALREADY_EXISTS" not in str(exc.error_code):
                raise
        created = self.client.create_model_version(
            self.model_name, f"runs:/{run_id}/{MODEL_ARTIFACTS}", run_id=run_id,
            tags={VERSION_TAG: model_version},
        )
        return str(created.version)

    def versions(self) -> list[RegistryVersion]:
        try:
            found = self.client.search_model_versions(f"name='{self.model_name}'")
        except MlflowException as exc:
            raise ServiceUnavailable(f"model registry at {self.tracking_uri}: {exc}") from exc
        aliases: dict[str, list[str]] = {}
        if found:
            named = self.client.get_registered_model(self.model_name).aliases or {}
            for alias, number in named.items():
                aliases.setdefault(str(number), []).append(alias)
        out = [
            RegistryVersion(
                number=str(v.version), model_version=v.tags.get(VERSION_TAG, str(v.version)),
                run_id=str(v.run_id), aliases=tuple(sorted(aliases.get(str(v.version), []))),
                created_at=datetime.fromtimestamp(v.creation_timestamp / 1000, UTC),
            )
            for v in found
        ]
        return sorted(out, key=lambda v: int(v.number))

    def find(self, model_version: str) -> RegistryVersion:
        for version in self.versions():
            if model_version in (version.model_version, version.number):
                return version
        raise NotFound(f"no model version {model_version!r} in registered model "
                       f"{self.model_name!r}")

    def alias(self, alias: str) -> str | None:
        """The model version string the alias points at, or None."""
        try:
            version = self.client.get_model_version_by_alias(self.model_name, alias)
        except MlflowException as exc:
            if exc.error_code in ("RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE"):
                return None
            raise ServiceUnavailable(f"model registry at {self.tracking_uri}: {exc}") from exc
        return str(version.tags.get(VERSION_TAG, version.version))

    def set_alias(self, alias: str, model_version: str) -> None:
        self.client.set_registered_model_alias(self.model_name, alias, self.find(model_version)
                                               .number)

    def delete_alias(self, alias: str) -> None:
        try:
            self.client.delete_registered_model_alias(self.model_name, alias)
        except MlflowException as exc:
            if exc.error_code not in ("RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE"):
                raise

    def download(self, model_version: str, destination: Path) -> Path:
        """The model files of a version into `destination` (which must not exist yet)."""
        version = self.find(model_version)
        destination.mkdir(parents=True)
        path = self.client.download_artifacts(version.run_id, MODEL_ARTIFACTS, str(destination))
        return Path(path)

    def run_metrics(self, model_version: str) -> dict[str, float]:
        version = self.find(model_version)
        return dict(self.client.get_run(version.run_id).data.metrics)
