"""Train a challenger and compare it with the champion on the same evaluation data."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from autotriage.ml import drift
from autotriage.ml.evaluation import evaluate_fields
from autotriage.ml.model import TrainingOptions, TriageModel
from autotriage.ml.promotion import FieldPredictions, GateSettings, decide

TEXT = "text"


def fingerprint(frame: pd.DataFrame) -> str:
    import hashlib

    hashed = pd.util.hash_pandas_object(frame.astype("string").fillna("\x00"), index=False)
    return "sha256:" + hashlib.sha256(hashed.to_numpy().tobytes()).hexdigest()


def train_challenger(train: pd.DataFrame, fields: Sequence[str], options: TrainingOptions | None,
                     *, held_out: Sequence[str] = ()) -> tuple[TriageModel, float]:
    """(model, seconds). One BLAS thread: on few cores the solver's threads fight each other."""
    texts = train[TEXT].tolist()
    labels = {f: train[f].tolist() for f in fields}
    started = time.perf_counter()
    with threadpool_limits(1):
        model = TriageModel(fields, options).fit(texts, labels,
                                                 data_fingerprint=fingerprint(train))
    seconds = time.perf_counter() - started
    # The drift reference travels with the model, as for `autotriage train` (issue 7).
    drift.attach_reference(model, drift.reference_profile(model, texts,
                                                          held_out=list(held_out) or None))
    return model, seconds


def predictions(model: TriageModel, frame: pd.DataFrame,
                fields: Sequence[str]) -> dict[str, FieldPredictions]:
    """Each field's predictions on the evaluation rows that have its true label."""
    wanted = [f for f in fields if f in model.fields]
    missing = sorted(set(fields) - set(wanted))
    if missing:
        raise ValueError(f"model {model.version} does not predict {missing}")
    probabilities = model.predict_proba(frame[TEXT].tolist(), fields=wanted)
    out = {}
    for field in wanted:
        truth = frame[field].to_numpy(dtype=object)
        rows = np.flatnonzero(pd.notna(truth) & (truth != ""))
        probs = probabilities[field][rows]
        classes = np.array(model.classes(field), dtype=object)
        out[field] = FieldPredictions(rows=rows, truth=truth[rows].astype(str),
                                      predicted=classes[probs.argmax(axis=1)].astype(str),
                                      confidence=probs.max(axis=1))
    return out


def compare(champion: TriageModel | None, challenger: TriageModel, evaluation: pd.DataFrame,
            fields: Sequence[str], settings: GateSettings) -> dict[str, Any]:
    """The gate's verdict for challenger against champion on `evaluation` (both models see the
    same rows). Without a champion the challenger is promoted when it is valid."""
    new = predictions(challenger, evaluation, fields)
    if champion is None:
        return {"promote": True, "decided_by": "no_champion", "rules": {},
                "fields": {f: {"challenger": {"n": int(len(p.truth)),
                                              "accuracy": float(np.mean(p.truth == p.predicted))}}
                           for f, p in new.items()}}
    old = predictions(champion, evaluation, fields)
    return decide(old, new, len(evaluation), settings)


def challenger_report(model: TriageModel, evaluation: pd.DataFrame, fields: Sequence[str],
                      train_seconds: float, n_train: int) -> dict[str, Any]:
    """The challenger's own evaluation report (figures and plots, as `autotriage train`)."""
    figures: dict[str, Any] = {}
    plots: dict[str, bytes] = {}
    for field in fields:
        rows = evaluation[evaluation[field].notna() & (evaluation[field] != "")]
        field_figures, field_plots = evaluate_fields(
            model, rows[TEXT].tolist(), {field: rows[field].astype(str).tolist()}, plots=True)
        figures.update(field_figures)
        plots.update(field_plots)
    return {"fields": figures, "plots": plots, "train_seconds": round(train_seconds, 3),
            "model_version": model.version, "n_train": n_train,
            "data_fingerprint": model.info.get("data_fingerprint"),
            "calibration": model.info.get("calibration", {}),
            "guarantee": model.info.get("guarantee", {})}
