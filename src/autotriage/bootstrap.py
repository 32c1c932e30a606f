"""First-run preparation shared by `serve` and tests: schema at head, a champion model."""

from __future__ import annotations

import json
from collections.abc import Callable

import pandas as pd

from autotriage.config import Settings
from autotriage.ml import training
from autotriage.ml.store import ModelStore, open_store
from autotriage.security.first_run import ensure_first_admin
from autotriage.storage import migrate

DEMO_TEXT = ["subject", "body"]


def prepare(settings: Settings, say: Callable[[str], object] = print) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.resolved_database_url)
    ensure_first_admin(settings, say)  # issue 9: no default passwords, one random admin secret
    store = open_store(settings)  # the MLflow registry unless model_registry=local (issue 5)
    if store.champion_version() is None:
        say("no champion model yet: training the demo model from the project's demo data")
        version = train_demo_model(settings, store)
        say(f"demo champion {version} trained")


def train_demo_model(settings: Settings, store: ModelStore) -> str:
    """Generate the demo tickets, train on 80%, evaluate on 20%, store as champion."""
    from autotriage.demo_data import generate_tickets, write_tickets

    demo_dir = settings.data_dir / "demo"
    path = demo_dir / "tickets.csv"
    write_tickets(path, generate_tickets(settings.demo_tickets, seed=settings.demo_seed))
    frame = training.read_table(path)
    fields = list(settings.label_fields)
    training.check_training_table(frame, path, DEMO_TEXT, fields)
    train, test = training.split(frame, fields[0], 0.2)
    model, report = training.train_and_evaluate(train, test, DEMO_TEXT, fields,
                                                options=settings.training_options())
    report["model"] = str(store.model_dir(model.version).resolve())
    store.save(model, report=report)  # with the report: MLflow logs it with the model
    store.set_champion(model.version)
    train_demo_urgency(settings, train, test)
    return model.version


def train_demo_urgency(settings: Settings, train: pd.DataFrame, test: pd.DataFrame) -> None:
    """The urgency model (issue 10) from the demo's priority labels, unless one exists, so the
    demo's tickets carry an urgency from the start."""
    from autotriage.domain.routing import URGENCY_DIR
    from autotriage.ml.urgency import UrgencyModel, evaluate_urgency

    field = settings.sla_priority_field
    target = settings.resolved_model_dir / URGENCY_DIR
    if field not in train.columns or UrgencyModel.load(target) is not None:
        return
    texts = training.texts_of(train, DEMO_TEXT)
    model = UrgencyModel().fit(texts, train[field].astype(str).tolist())
    model.save(target)
    report = {"n_train": len(train), "data": "demo tickets",
              "test": evaluate_urgency(model, training.texts_of(test, DEMO_TEXT),
                                       test[field].astype(str).tolist())}
    (target / "report.json").write_text(json.dumps(report, indent=2))
