"""Drift between the champion's training data (its reference profile) and recent tickets.

The reference profile is made at training time and travels with the model: text lengths,
language mix, vocabulary, predicted-label and confidence distributions, and a bounded random
sample of texts for the domain-classifier test. Predictions and out-of-vocabulary rates in the
profile come from held-out texts: on its own training texts a model is over-confident and knows
every word, which would make any new ticket look drifted.

Each check has an effect size (`score`) and a p-value; it flags drift when the change is both
significant (p < alpha) and large (score >= threshold), since with a thousand tickets tiny,
harmless differences are already significant.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import py3langid
from scipy import stats
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from threadpoolctl import threadpool_limits

from autotriage.ml.model import TriageModel

REFERENCE_FILE = "drift_reference.json"
PROFILE_FORMAT = 1
SAMPLE_SIZE = 2_000
SAMPLE_CHARS = 1_000
VOCABULARY_SIZE = 30_000
# Same tokens as the model's word features.
TOKEN = re.compile(r"(?u)\b\w\w+\b")
_EPSILON = 1e-4


@dataclass(frozen=True)
class DriftThresholds:
    alpha: float = 0.01
    auc: float = 0.7
    psi: float = 0.25
    ks: float = 0.15
    oov: float = 0.1
    min_texts: int = 100


def reference_profile(
    model: TriageModel, texts: Sequence[str], *, held_out: Sequence[str] | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """Profile of the data `model` was trained on (`texts`). Without `held_out` texts, a fifth
    of `texts` stands in for them (for the vocabulary) and predictions are in-sample."""
    rng = np.random.default_rng(seed)
    texts = list(texts)
    in_sample = held_out is None
    if held_out is None:
        order = rng.permutation(len(texts))
        cut = max(1, len(texts) // 5)
        vocabulary_texts = [texts[i] for i in order[cut:]] or texts
        held_out = [texts[i] for i in order[:cut]]
        predicted_texts = texts
    else:
        vocabulary_texts, predicted_texts = texts, list(held_out)
    sample = _sample(texts, SAMPLE_SIZE, rng)
    vocabulary = _vocabulary(vocabulary_texts)
    predicted = _sample(predicted_texts, SAMPLE_SIZE, rng)
    return {
        "format": PROFILE_FORMAT,
        "model_version": model.version,
        "created_at": datetime.now(UTC).isoformat(),
        "n_texts": len(texts),
        "predictions_in_sample": in_sample,
        "lengths": [len(t) for t in sample],
        "languages": _languages(sample),
        "vocabulary": vocabulary,
        "oov_rates": _oov_rates(_sample(list(held_out), SAMPLE_SIZE, rng), set(vocabulary)),
        "predictions": _prediction_profile(model, predicted),
        "texts": [t[:SAMPLE_CHARS] for t in sample],
    }


def attach_reference(model: TriageModel, profile: dict[str, Any]) -> None:
    """Keep the profile on the model object, so whatever stores the model stores it too."""
    model.drift_reference = profile  # type: ignore[attr-defined]


def save_reference(directory: Path, profile: Mapping[str, Any]) -> Path:
    path = directory / REFERENCE_FILE
    tmp = directory / f".{REFERENCE_FILE}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(profile, ensure_ascii=False))
    os.replace(tmp, path)
    return path


def load_reference(directory: Path | None, model: TriageModel) -> dict[str, Any] | None:
    """The profile saved next to the model, else the one it carries; None when it has none."""
    if directory is not None and (directory / REFERENCE_FILE).exists():
        profile: dict[str, Any] = json.loads((directory / REFERENCE_FILE).read_text())
        return profile
    carried = getattr(model, "drift_reference", None)
    return carried if isinstance(carried, dict) else None


def compare(
    reference: Mapping[str, Any], model: TriageModel, texts: Sequence[str],
    thresholds: DriftThresholds = DriftThresholds(), *, seed: int = 0,
) -> dict[str, Any]:
    """The drift report of `texts` (current window) against `reference`."""
    report: dict[str, Any] = {
        "model_version": model.version,
        "reference": {key: reference.get(key) for key in
                      ("model_version", "created_at", "n_texts", "predictions_in_sample")},
        "current": {"n_texts": len(texts)},
        "thresholds": asdict(thresholds),
        "checks": [],
        "drift_detected": False,
        "severity": 0.0,
    }
    if len(texts) < thresholds.min_texts:
        report["status"] = "insufficient_data"
        return report
    rng = np.random.default_rng(seed)
    current = _sample(list(texts), SAMPLE_SIZE, rng)
    with threadpool_limits(1):
        checks = [
            _length_check(reference, current, thresholds),
            _language_check(reference, current, thresholds),
            _oov_check(reference, current, thresholds),
            *_prediction_checks(reference, model, current, thresholds),
            _domain_check(reference, current, thresholds, seed),
        ]
    report["checks"] = checks
    report["status"] = "ok"
    report["drift_detected"] = any(c["drifted"] for c in checks)
    significant = [c["score"] / c["threshold"] for c in checks if c["p_value"] < thresholds.alpha]
    report["severity"] = round(max(significant, default=0.0), 4)
    return report


def _check(
    name: str, test: str, score: float, p_value: float, threshold: float, alpha: float,
    field: str | None = None, **details: Any,
) -> dict[str, Any]:
    score = 0.0 if math.isnan(score) else float(score)
    p_value = 1.0 if math.isnan(p_value) else float(p_value)
    return {
        "check": name, "field": field, "test": test, "score": round(score, 4),
        "p_value": p_value, "threshold": threshold,
        "drifted": bool(p_value < alpha and score >= threshold), "details": details,
    }


def _length_check(reference: Mapping[str, Any], current: list[str],
                  t: DriftThresholds) -> dict[str, Any]:
    ref, cur = np.array(reference["lengths"]), np.array([len(x) for x in current])
    result = stats.ks_2samp(ref, cur)
    return _check("text_length", "ks", result.statistic, result.pvalue, t.ks, t.alpha,
                  reference_median=float(np.median(ref)), current_median=float(np.median(cur)))


def _language_check(reference: Mapping[str, Any], current: list[str],
                    t: DriftThresholds) -> dict[str, Any]:
    ref, cur = reference["languages"], _languages(current)
    psi, p_value = _psi_and_chi2(ref, cur)
    return _check("language", "psi+chi2", psi, p_value, t.psi, t.alpha,
                  reference_shares=_shares(ref, 5), current_shares=_shares(cur, 5))


def _oov_check(reference: Mapping[str, Any], current: list[str],
               t: DriftThresholds) -> dict[str, Any]:
    ref = np.array(reference["oov_rates"])
    cur = np.array(_oov_rates(current, set(reference["vocabulary"])))
    if len(ref) == 0 or len(cur) == 0:
        return _check("oov_rate", "mann-whitney", 0.0, 1.0, t.oov, t.alpha)
    p_value = stats.mannwhitneyu(ref, cur, alternative="two-sided").pvalue
    return _check("oov_rate", "mann-whitney", abs(cur.mean() - ref.mean()), p_value, t.oov,
                  t.alpha, reference_mean=round(float(ref.mean()), 4),
                  current_mean=round(float(cur.mean()), 4))


def _prediction_checks(reference: Mapping[str, Any], model: TriageModel, current: list[str],
                       t: DriftThresholds) -> list[dict[str, Any]]:
    now = _prediction_profile(model, current)
    checks = []
    for field, ref in reference["predictions"].items():
        if field not in now:
            continue
        cur = now[field]
        psi, p_value = _psi_and_chi2(ref["labels"], cur["labels"])
        checks.append(_check("predicted_label", "psi+chi2", psi, p_value, t.psi, t.alpha, field,
                             largest_changes=_largest_changes(ref["labels"], cur["labels"])))
        result = stats.ks_2samp(ref["confidences"], cur["confidences"])
        checks.append(_check("confidence", "ks", result.statistic, result.pvalue, t.ks, t.alpha,
                             field, reference_mean=round(float(np.mean(ref["confidences"])), 4),
                             current_mean=round(float(np.mean(cur["confidences"])), 4)))
    return checks


def _domain_check(reference: Mapping[str, Any], current: list[str], t: DriftThresholds,
                  seed: int) -> dict[str, Any]:
    """Train a classifier to tell reference texts from current ones. Out-of-fold ROC AUC near
    0.5 means it cannot; the p-value is the Mann-Whitney null (AUC = 0.5) in normal form, and
    the lower bound is Hanley-McNeil's at 1 - alpha."""
    rng = np.random.default_rng(seed)
    n = min(len(reference["texts"]), len(current))
    if n < t.min_texts // 2:
        return _check("domain_classifier", "roc_auc", 0.5, 1.0, t.auc, t.alpha, n_per_side=n)
    ref = _sample(reference["texts"], n, rng)
    cur = [x[:SAMPLE_CHARS] for x in _sample(current, n, rng)]
    target = np.array([0] * n + [1] * n)
    classifier = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=50_000),
        LogisticRegression(C=1.0, solver="liblinear"),
    )
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
    scores = cross_val_predict(classifier, ref + cur, target, cv=folds,
                               method="predict_proba")[:, 1]
    auc = float(roc_auc_score(target, scores))
    null_sd = math.sqrt((2 * n + 1) / (12 * n * n))
    p_value = float(stats.norm.sf((auc - 0.5) / null_sd))
    q1, q2 = auc / (2 - auc), 2 * auc * auc / (1 + auc)
    se = math.sqrt(max(0.0, auc * (1 - auc) + (n - 1) * (q1 + q2 - 2 * auc * auc)) / (n * n))
    lower = auc - float(stats.norm.ppf(1 - t.alpha)) * se
    return _check("domain_classifier", "roc_auc", auc, p_value, t.auc, t.alpha,
                  auc_lower_bound=round(lower, 4), n_per_side=n)


def _psi_and_chi2(ref: Mapping[str, int], cur: Mapping[str, int]) -> tuple[float, float]:
    """Population stability index of the shares, and the chi-square test of homogeneity."""
    keys = sorted(set(ref) | set(cur))
    table = np.array([[ref.get(k, 0) for k in keys], [cur.get(k, 0) for k in keys]], float)
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2 or (table.sum(axis=1) == 0).any():
        return 0.0, 1.0
    shares = table / table.sum(axis=1, keepdims=True) + _EPSILON
    psi = float(((shares[1] - shares[0]) * np.log(shares[1] / shares[0])).sum())
    p_value = float(stats.chi2_contingency(table, correction=False).pvalue)
    return psi, p_value


def _prediction_profile(model: TriageModel, texts: Sequence[str]) -> dict[str, Any]:
    profile: dict[str, Any] = {}
    if not texts:
        return profile
    for field, probs in model.predict_proba(list(texts)).items():
        classes = model.classes(field)
        best = probs.argmax(axis=1)
        counts = Counter(classes[i] for i in best)
        profile[field] = {
            "labels": dict(sorted(counts.items())),
            "confidences": [round(float(c), 5) for c in probs.max(axis=1)],
        }
    return profile


def _languages(texts: Sequence[str]) -> dict[str, int]:
    # As domain.language.detect_language does: the opening 500 characters decide.
    found = (py3langid.classify(t[:500].strip())[0] if t.strip() else "unknown" for t in texts)
    return dict(Counter(str(language) for language in found))


def _vocabulary(texts: Sequence[str]) -> list[str]:
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(set(TOKEN.findall(text.lower())))
    return [token for token, n in counts.most_common(VOCABULARY_SIZE) if n >= 2]


def _oov_rates(texts: Sequence[str], vocabulary: set[str]) -> list[float]:
    rates = []
    for text in texts:
        tokens = TOKEN.findall(text.lower())
        if tokens:
            rates.append(round(sum(tok not in vocabulary for tok in tokens) / len(tokens), 4))
    return rates


def _sample(items: Sequence[str], size: int, rng: np.random.Generator) -> list[str]:
    if len(items) <= size:
        return list(items)
    return [items[i] for i in sorted(rng.choice(len(items), size=size, replace=False))]


def _shares(counts: Mapping[str, int], top: int) -> dict[str, float]:
    total = sum(counts.values()) or 1
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])[:top]
    return {key: round(n / total, 4) for key, n in ranked}


def _largest_changes(ref: Mapping[str, int], cur: Mapping[str, int],
                     top: int = 5) -> list[dict[str, Any]]:
    ref_total, cur_total = sum(ref.values()) or 1, sum(cur.values()) or 1
    changes = [(k, ref.get(k, 0) / ref_total, cur.get(k, 0) / cur_total)
               for k in set(ref) | set(cur)]
    changes.sort(key=lambda c: -abs(c[2] - c[1]))
    return [{"label": k, "reference_share": round(r, 4), "current_share": round(c, 4)}
            for k, r, c in changes[:top]]
