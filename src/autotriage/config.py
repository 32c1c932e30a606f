"""All settings in one typed class, read from the environment (prefix AUTOTRIAGE_) and `.env`."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

QueueBackend = Literal["memory", "redis"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="AUTOTRIAGE_", env_file=".env", extra="ignore", frozen=True
    )

    # Where everything embedded lives: SQLite file, models, demo data.
    data_dir: Path = Path("data")
    # Empty means a SQLite file inside data_dir.
    database_url: str = ""
    database_pool_size: int = Field(default=10, ge=1)
    queue_backend: QueueBackend = "memory"
    redis_url: str = "redis://127.0.0.1:6379/0"
    # Empty means data_dir/models.
    model_dir: str = ""

    # The ticket fields the model predicts. Comma-separated in the environment.
    label_fields: Annotated[tuple[str, ...], NoDecode] = ("queue", "priority", "type")
    # Decision v1: a field is auto-routable when its top confidence reaches its threshold;
    # a ticket whose top confidence on any field is under escalate_below is escalated as unknown.
    # Per-field override in the environment: AUTOTRIAGE_THRESHOLDS='{"queue": 0.9}'.
    default_threshold: float = Field(default=0.8, gt=0, le=1)
    thresholds: dict[str, float] = Field(default_factory=dict)
    escalate_below: float = Field(default=0.2, ge=0, lt=1)

    max_text_chars: int = Field(default=20_000, ge=1)
    max_batch_size: int = Field(default=1_000, ge=1)
    max_page_size: int = Field(default=200, ge=1)
    default_page_size: int = Field(default=50, ge=1)

    host: str = "127.0.0.1"
    port: int = 8000
    # Threads consuming the queue inside `autotriage serve` (0 disables the embedded worker).
    embedded_workers: int = Field(default=1, ge=0)
    worker_batch_size: int = Field(default=256, ge=1)
    # Tickets still `received` after this many seconds are published again (the database is
    # the source of truth; handlers are idempotent).
    sweep_after_seconds: float = Field(default=60.0, gt=0)
    sweep_interval_seconds: float = Field(default=30.0, gt=0)

    demo_tickets: int = Field(default=4_000, ge=200)
    demo_seed: int = 7

    @field_validator("label_fields", mode="before")
    @classmethod
    def _split_fields(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if not self.label_fields:
            raise ValueError("label_fields must name at least one field")
        unknown = sorted(set(self.thresholds) - set(self.label_fields))
        if unknown:
            raise ValueError(f"thresholds given for unknown label fields: {unknown}")
        for field, value in self.thresholds.items():
            if not 0 < value <= 1:
                raise ValueError(f"threshold for {field!r} must be in (0, 1], got {value}")
        return self

    @cached_property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'autotriage.db').resolve()}"

    @cached_property
    def resolved_model_dir(self) -> Path:
        return Path(self.model_dir) if self.model_dir else self.data_dir / "models"

    def threshold_for(self, field: str) -> float:
        return self.thresholds.get(field, self.default_threshold)
