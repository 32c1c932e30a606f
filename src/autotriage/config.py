"""All settings in one typed class, read from the environment (prefix AUTOTRIAGE_) and `.env`."""

from __future__ import annotations

import os
import socket
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

if TYPE_CHECKING:
    from autotriage.ml.model import TrainingOptions

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

    # Calibration and decision policy v2 (issue 3). Training holds out calibration_fraction of
    # the rows to calibrate and to choose thresholds whose auto-routed precision is at least
    # target_precision with probability 1 - risk_delta. The thresholds travel with the model;
    # `thresholds`/`default_threshold` above only serve models trained without them (or, for
    # `thresholds`, override them per field). A ticket escalates as novel when a field's top
    # confidence is under the novelty_quantile of the confidences on the calibration split
    # (escalate_below for older models). Field modes: auto | suggest | shadow | off, default
    # auto, e.g. AUTOTRIAGE_FIELD_MODES='{"type": "shadow"}'; an admin overrides them at run
    # time (PUT /api/v1/admin/fields/{field}); processes re-read them every field_modes_ttl.
    target_precision: float = Field(default=0.95, gt=0, lt=1)
    risk_delta: float = Field(default=0.05, gt=0, lt=1)
    calibration_fraction: float = Field(default=0.2, ge=0, lt=1)
    calibration_refit: bool = True
    novelty_quantile: float = Field(default=0.02, ge=0, le=0.2)
    field_modes: dict[str, Literal["auto", "suggest", "shadow", "off"]] = Field(
        default_factory=dict
    )
    field_modes_ttl_seconds: float = Field(default=5.0, ge=0)
    # Sentence-embedding features (the `embeddings` extra): "minilm" or a local model folder.
    embeddings: str | None = None

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

    # production backends (issue 6): one Redis stream and consumer group shared by every
    # `autotriage worker`; dead letters go to "<stream>:dead".
    redis_stream: str = Field(default="autotriage:tickets", min_length=1)
    redis_group: str = Field(default="workers", min_length=1)
    # Empty means "<hostname>-<pid>"; worker threads add "-<n>". Must be unique per process.
    worker_consumer: str = ""
    # A message unacknowledged this long belongs to a dead or stuck consumer and is reclaimed
    # (XAUTOCLAIM); keep it well above the time one batch takes.
    claim_idle_ms: int = Field(default=60_000, ge=1)
    # A failed message waits this long before its next attempt (the queue's back-off).
    retry_delay_ms: int = Field(default=5_000, ge=0)
    # After this many deliveries without success a message goes to the dead-letter stream.
    max_attempts: int = Field(default=5, ge=1)
    # Intake answers 503 with Retry-After when this many messages wait unacknowledged.
    max_backlog: int = Field(default=100_000, ge=1)
    retry_after_seconds: int = Field(default=5, ge=1)
    # Threads per `autotriage worker` process (one uses one core: the model holds the GIL).
    worker_threads: int = Field(default=1, ge=1)
    # SIGTERM: how long a worker may take to finish its in-flight batch before it exits.
    shutdown_grace_seconds: float = Field(default=25.0, gt=0)
    # A file the worker touches while its threads make progress (liveness probe); empty: none.
    worker_heartbeat_file: str = ""

    # review (issue 4): a claimed ticket is the reviewer's for review_lease_seconds, then returns
    # to the queue; a verdict can be undone by its reviewer for review_undo_window_seconds; a
    # deterministic-random share of verdicts goes to a second reviewer.
    review_lease_seconds: float = Field(default=300.0, gt=0)
    review_undo_window_seconds: float = Field(default=300.0, ge=0)
    review_double_share: float = Field(default=0.05, ge=0, le=1)
    review_bulk_limit: int = Field(default=100, ge=1)
    # "Highest priority first" ranks tickets by the predicted label of this field, in this order
    # (comma-separated in the environment); labels not listed come after.
    review_priority_field: str = "priority"
    review_priority_ranking: Annotated[tuple[str, ...], NoDecode] = (
        "critical", "urgent", "high", "medium", "normal", "low",
    )

    # Integrations (issue 11). Inbound helpdesk webhooks: one shared secret per source, from the
    # environment (AUTOTRIAGE_WEBHOOK_SECRETS='{"zendesk": "..."}') and/or a JSON secret file
    # (mounted by Docker/Kubernetes); the file wins for a source named in both.
    webhook_secrets: dict[str, SecretStr] = Field(default_factory=dict)
    webhook_secrets_file: Path | None = None
    # Sources other than zendesk/freshdesk/jsm: name -> {ticket field: dotted path in the JSON},
    # e.g. '{"acme": {"id": "ticket.number", "subject": "ticket.title", "body": "ticket.text"}}'.
    webhook_mappings: dict[str, dict[str, str]] = Field(default_factory=dict)
    # Outbound events (a decision or a verdict was made), POSTed signed to these URLs
    # (a JSON list) from a delivery outbox, retried with exponential backoff.
    outbound_webhook_urls: tuple[str, ...] = ()
    outbound_webhook_secret: SecretStr | None = None
    outbound_max_attempts: int = Field(default=10, ge=1)
    outbound_backoff_seconds: float = Field(default=2.0, gt=0)
    outbound_backoff_max_seconds: float = Field(default=900.0, gt=0)
    outbound_timeout_seconds: float = Field(default=10.0, gt=0)
    outbound_poll_seconds: float = Field(default=1.0, gt=0)

    # routing rules, urgency, SLA (issue 10). Rules are stored in the database (PUT
    # /api/v1/rules); until the first save, rules_file (empty: the packaged default) is in force.
    # Each process re-checks the stored version every rules_refresh_seconds.
    rules_file: Path | None = None
    rules_refresh_seconds: float = Field(default=5.0, ge=0)
    # Resolution-time target in hours per label of sla_priority_field; a ticket is at risk of
    # breaching it when its predicted p90 resolution time is over the target.
    # AUTOTRIAGE_SLA_TARGET_HOURS='{"high": 8, "medium": 24, "low": 72}'.
    sla_target_hours: dict[str, float] = Field(
        default_factory=lambda: {"critical": 4.0, "high": 8.0, "medium": 24.0, "low": 72.0}
    )
    sla_priority_field: str = "priority"
    # Statistics: reviewer minutes one auto-routed ticket saves.
    reviewer_minutes_per_ticket: float = Field(default=4.0, ge=0)

    # Observability (issue 7). Database-derived metrics are read at scrape time and cached this
    # long; realized precision of auto-routing counts labels of the last precision_window_days
    # (its target is target_precision).
    metrics_cache_seconds: float = Field(default=10.0, ge=0)
    precision_window_days: int = Field(default=30, ge=1)
    # `autotriage worker` serves its own /metrics on this port (0: none).
    worker_metrics_port: int = Field(default=0, ge=0, le=65535)
    # Logs: json (one object a line) or text. Ticket text and sender stay out unless asked for.
    log_format: Literal["json", "text"] = "json"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_ticket_text: bool = False
    # Drift: the newest drift_window tickets against the champion's reference profile, every
    # drift_check_interval_seconds inside `autotriage serve` (0: only on request). A check flags
    # drift when p < drift_alpha and its score reaches its threshold.
    drift_window: int = Field(default=1_000, ge=20, le=20_000)
    drift_min_tickets: int = Field(default=200, ge=20)
    drift_check_interval_seconds: float = Field(default=3_600.0, ge=0)
    drift_cache_seconds: float = Field(default=300.0, ge=0)
    drift_alpha: float = Field(default=0.01, gt=0, lt=1)
    drift_auc_threshold: float = Field(default=0.7, gt=0.5, le=1)
    drift_psi_threshold: float = Field(default=0.25, gt=0)
    drift_ks_threshold: float = Field(default=0.15, gt=0, le=1)
    drift_oov_threshold: float = Field(default=0.1, gt=0, le=1)
    # Call the registered retrain hooks when a report's severity (largest significant score over
    # its threshold; 1 = at the threshold) reaches this; 0: never.
    drift_retrain_above: float = Field(default=0.0, ge=0)

    # Self-improvement (issue 5). Models live in MLflow (aliases `champion`/`challenger` of
    # registered_model_name); empty mlflow_tracking_uri: MLFLOW_TRACKING_URI, else a SQLite store
    # in data_dir. model_registry=local keeps them in a folder with no MLflow (tests, tiny setups).
    model_registry: Literal["mlflow", "local"] = "mlflow"
    mlflow_tracking_uri: str = ""
    registered_model_name: str = Field(default="autotriage", min_length=1, max_length=100)
    # Every process checks the champion alias this often and swaps to a new one in place.
    model_reload_seconds: float = Field(default=5.0, gt=0)
    # Retraining data: a labelled base file (empty: data_dir/demo/tickets.csv) plus every
    # verified label. Evaluation: a golden file (empty: a seeded retrain_golden_share of the base
    # file, never trained on) plus the newest retrain_recent_share of labelled tickets.
    retrain_base_data: Path | None = None
    retrain_golden_data: Path | None = None
    retrain_text_columns: Annotated[tuple[str, ...], NoDecode] = ("subject", "body")
    retrain_golden_share: float = Field(default=0.2, gt=0, lt=1)
    retrain_recent_share: float = Field(default=0.2, ge=0, lt=1)
    retrain_seed: int = 42
    # Triggers (0 / empty: off): new verified labels since the last retrain, a fixed interval,
    # a daily UTC time "HH:MM". Checked every retrain_check_seconds by worker processes.
    retrain_every_labels: int = Field(default=200, ge=0)
    retrain_interval_hours: float = Field(default=0.0, ge=0)
    retrain_daily_at: str = Field(default="", pattern=r"^$|^([01]\d|2[0-3]):[0-5]\d$")
    retrain_check_seconds: float = Field(default=60.0, gt=0)
    # The database lock that keeps retrains one at a time expires after this (a crashed run).
    retrain_lock_seconds: float = Field(default=7_200.0, gt=0)
    retrain_auto_promote: bool = True
    # Promotion gate: macro-F1 gain of at least promotion_min_gain, significant at
    # promotion_alpha (paired bootstrap); no class F1 (with support >= min_class_support) down by
    # more than max_class_drop; ECE and coverage at target_precision not worse beyond tolerance.
    promotion_min_gain: float = Field(default=0.005, ge=0)
    promotion_alpha: float = Field(default=0.05, gt=0, lt=1)
    promotion_bootstrap_samples: int = Field(default=1_000, ge=100)
    promotion_max_class_drop: float = Field(default=0.1, ge=0)
    promotion_min_class_support: int = Field(default=20, ge=1)
    promotion_ece_tolerance: float = Field(default=0.01, ge=0)
    promotion_coverage_tolerance: float = Field(default=0.01, ge=0)
    # Workers also predict with the challenger and store its predictions (never its decision).
    shadow_challenger: bool = False

    # Security (issue 9). Every endpoint needs an API key or a login session unless its entry in
    # security/policy.py says public; auth_enabled=false (tests, a private laptop) lets every
    # caller act as admin, named by X-User. The session cookie is signed with session_secret
    # (empty: a random one kept in data_dir/session_secret; API instances behind one balancer
    # must share it). Secrets may come from AUTOTRIAGE_<NAME>_FILE instead (see secret_files).
    auth_enabled: bool = True
    admin_username: str = Field(default="admin", min_length=1, max_length=100)
    session_secret: SecretStr | None = None
    session_max_age_seconds: float = Field(default=8 * 3600.0, gt=0)
    session_cookie_secure: bool = False  # set it when served over HTTPS
    # Origins allowed to call the API from a browser (a JSON list); none by default.
    cors_origins: tuple[str, ...] = ()
    # Token bucket per API key, session or client address (0: no limit), and for failed logins.
    rate_limit_per_minute: float = Field(default=1_200.0, ge=0)
    rate_limit_burst: int = Field(default=200, ge=1)
    login_attempts_per_minute: float = Field(default=10.0, ge=0)
    # Larger request bodies get 413 before they are read.
    max_body_bytes: int = Field(default=32 * 1024 * 1024, ge=1024)
    # Replace e-mail addresses, phone, card and IBAN numbers in texts a retrain learns from.
    redact_training_text: bool = False

    @model_validator(mode="before")
    @classmethod
    def _secret_files(cls, data: object) -> object:  # issue 9: AUTOTRIAGE_<NAME>_FILE
        from autotriage.security.secret_files import read_secret_files

        return read_secret_files(data)

    @field_validator("retrain_text_columns", mode="before")
    @classmethod
    def _split_text_columns(cls, value: object) -> object:  # issue 5: "subject,body"
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("label_fields", "review_priority_ranking", mode="before")
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

    @cached_property
    def resolved_consumer_name(self) -> str:
        # production backends (issue 6): unique per process, readable in XINFO CONSUMERS.
        return self.worker_consumer or f"{socket.gethostname()}-{os.getpid()}"

    def threshold_for(self, field: str) -> float:
        return self.thresholds.get(field, self.default_threshold)

    def training_options(self) -> TrainingOptions:
        """Calibration and threshold options for a model trained with these settings (issue 3)."""
        from autotriage.ml.model import TrainingOptions

        return TrainingOptions(
            target_precision=self.target_precision, risk_delta=self.risk_delta,
            calibration_fraction=self.calibration_fraction, refit=self.calibration_refit,
            embeddings=self.embeddings or None,
        )
