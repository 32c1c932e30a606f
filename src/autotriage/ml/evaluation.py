"""Per-field evaluation of a model on labelled data: the figures and plots of report.json.

Per field: accuracy, macro-F1, per-class precision/recall/F1, expected calibration error with
and without calibration, the thresholds that came with the model and what they do on this data
(`auto_route`: coverage and realized precision against the target), and three PNG plots
(confusion matrix, reliability diagram, risk-coverage curve), rendered in memory so that nothing
is written before the whole report is ready.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

# Figures are built without pyplot: no global state, no display backend, safe in threads.
from matplotlib.figure import Figure
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
)

from autotriage.ml.calibration import ECE_BINS, expected_calibration_error
from autotriage.ml.model import TriageModel

PLOTS = ("confusion_matrix", "reliability", "risk_coverage")


def evaluate_fields(
    model: TriageModel,
    texts: Sequence[str],
    truth: Mapping[str, Sequence[str]],
    *,
    plots: bool = True,
) -> tuple[dict[str, dict[str, Any]], dict[str, bytes]]:
    """(per-field figures, PNG files by name). `truth` maps each field to its true labels."""
    calibrated = model.predict_proba(texts, fields=list(truth))
    raw = model.predict_proba(texts, fields=list(truth), calibrated=False)
    report: dict[str, dict[str, Any]] = {}
    images: dict[str, bytes] = {}
    for field, labels in truth.items():
        y = np.asarray(labels, dtype=object)
        classes = np.array(model.classes(field), dtype=object)
        figures, field_images = field_report(
            field, y, classes, calibrated[field], raw[field], model.info, plots=plots
        )
        report[field] = figures
        images.update(field_images)
    return report, images


def auto_route_mask(
    predicted: np.ndarray, confidence: np.ndarray, thresholds: Mapping[str, float | None]
) -> np.ndarray:
    limits = np.array([thresholds.get(label) for label in predicted], dtype=object)
    has = np.array([t is not None for t in limits], dtype=bool)
    mask = np.zeros(len(predicted), dtype=bool)
    mask[has] = confidence[has] >= limits[has].astype(float)
    return mask


def field_report(
    field: str,
    truth: np.ndarray,
    classes: np.ndarray,
    calibrated: np.ndarray,
    raw: np.ndarray,
    info: Mapping[str, Any],
    *,
    plots: bool = True,
) -> tuple[dict[str, Any], dict[str, bytes]]:
    predicted = classes[calibrated.argmax(axis=1)]
    confidence = calibrated.max(axis=1)
    correct = predicted == truth
    learnt = info.get("thresholds", {}).get(field) or {}
    thresholds = learnt.get("classes", {})
    target = learnt.get("target_precision", info.get("guarantee", {}).get("target_precision"))
    routed = auto_route_mask(predicted, confidence, thresholds)
    labels = sorted(set(classes) | set(truth))
    figures: dict[str, Any] = {
        "accuracy": float(accuracy_score(truth, predicted)),
        "macro_f1": float(f1_score(truth, predicted, average="macro", zero_division=0)),
        "n_test": int(len(truth)),
        "per_class": per_class(truth, predicted, labels),
        "ece": {
            "uncalibrated": round(expected_calibration_error(
                raw.max(axis=1), classes[raw.argmax(axis=1)] == truth), 5),
            "calibrated": round(expected_calibration_error(confidence, correct), 5),
        },
        "calibration": (info.get("calibration", {}).get(field) or {}).get("method", "none"),
        "thresholds": {"pooled": learnt.get("pooled_threshold"),
                       "own_classes": learnt.get("own_classes", []), "classes": thresholds},
        "auto_route": {
            "target_precision": target,
            "coverage": round(float(routed.mean()), 5) if len(routed) else 0.0,
            "precision": round(float(correct[routed].mean()), 5) if routed.any() else None,
            "n_auto_routed": int(routed.sum()),
        },
    }
    if not plots:
        return figures, {}
    names = {kind: f"{field}_{kind}.png" for kind in PLOTS}
    figures["plots"] = names
    images = {
        names["confusion_matrix"]: _png(_confusion_figure(field, truth, predicted, labels)),
        names["reliability"]: _png(_reliability_figure(field, raw, calibrated, classes, truth)),
        names["risk_coverage"]: _png(_risk_coverage_figure(
            field, confidence, correct, figures["auto_route"])),
    }
    return figures, images


def per_class(truth: np.ndarray, predicted: np.ndarray,
              labels: list[str]) -> dict[str, dict[str, float]]:
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=labels, zero_division=0
    )
    return {
        str(c): {"precision": round(float(p), 4), "recall": round(float(r), 4),
                 "f1": round(float(f), 4), "support": int(n)}
        for c, p, r, f, n in zip(labels, precision, recall, f1, support, strict=True)
    }


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return buffer.getvalue()


def _confusion_figure(field: str, truth: np.ndarray, predicted: np.ndarray,
                      labels: list[str]) -> Figure:
    matrix = confusion_matrix(truth, predicted, labels=labels)
    size = min(4 + 0.22 * len(labels), 24)
    figure = Figure(figsize=(size, size))
    axes = figure.subplots()
    axes.imshow(matrix, cmap="Blues")
    ticks = np.arange(len(labels))
    font = 8 if len(labels) <= 30 else 5
    axes.set_xticks(ticks, labels, rotation=90, fontsize=font)
    axes.set_yticks(ticks, labels, fontsize=font)
    if len(labels) <= 15:
        for (i, j), n in np.ndenumerate(matrix):
            axes.text(j, i, str(n), ha="center", va="center", fontsize=7,
                      color="white" if n > matrix.max() / 2 else "black")
    axes.set(xlabel="predicted", ylabel="true", title=f"{field}: confusion matrix")
    return figure


def _reliability_figure(field: str, raw: np.ndarray, calibrated: np.ndarray,
                        classes: np.ndarray, truth: np.ndarray) -> Figure:
    figure = Figure(figsize=(5.5, 5))
    axes = figure.subplots()
    edges = np.linspace(0, 1, ECE_BINS + 1)
    for probs, name, marker in ((raw, "uncalibrated", "s"), (calibrated, "calibrated", "o")):
        confidence = probs.max(axis=1)
        correct = classes[probs.argmax(axis=1)] == truth
        which = np.clip(np.digitize(confidence, edges[1:-1]), 0, ECE_BINS - 1)
        used = [b for b in range(ECE_BINS) if np.any(which == b)]
        xs = [confidence[which == b].mean() for b in used]
        ys = [correct[which == b].mean() for b in used]
        ece = expected_calibration_error(confidence, correct)
        axes.plot(xs, ys, marker=marker, label=f"{name} (ECE {ece:.3f})")
    axes.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect")
    axes.set(xlabel="confidence", ylabel="accuracy", xlim=(0, 1), ylim=(0, 1),
             title=f"{field}: reliability")
    axes.legend(loc="upper left", fontsize=8)
    return figure


def _risk_coverage_figure(field: str, confidence: np.ndarray, correct: np.ndarray,
                          auto_route: Mapping[str, Any]) -> Figure:
    order = np.argsort(-confidence, kind="stable")
    errors = np.cumsum(~correct[order])
    taken = np.arange(1, len(order) + 1)
    figure = Figure(figsize=(6, 4.5))
    axes = figure.subplots()
    axes.plot(taken / max(len(order), 1), errors / taken, label="risk when routing the top share")
    target = auto_route.get("target_precision")
    if target is not None:
        axes.axhline(1 - target, linestyle="--", color="red", label=f"target risk {1 - target:.2f}")
    if auto_route.get("precision") is not None:
        axes.scatter([auto_route["coverage"]], [1 - auto_route["precision"]], color="black",
                     zorder=3, label="chosen thresholds")
    axes.set(xlabel="coverage", ylabel="risk (1 - precision)", xlim=(0, 1),
             title=f"{field}: risk-coverage")
    axes.legend(fontsize=8)
    return figure
