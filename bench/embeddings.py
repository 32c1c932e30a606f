"""Embeddings-extra benchmark: the packaged sentence encoder on BANKING77 (official split).

Prints: encoder load time, ms per ticket encoded one at a time, texts/s batched, BANKING77
accuracy of a logistic regression on the embeddings alone, of the TF-IDF model alone, and of the
average of the two models' probabilities (what TriageModel does with the extra). Usage:

    .venv/bin/python bench/embeddings.py [--spec minilm] [--single 200] [--speed-only]

Needs `pip install 'autotriage[embeddings]'` and ../shared/data/banking77.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from machine import describe  # bench/machine.py (benchmarks run as scripts)
from threadpoolctl import threadpool_limits

from autotriage.ml.embeddings import embeddings_available, inference_threads, load_encoder
from autotriage.ml.model import default_features, default_head

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "banking77"


def machine() -> str:
    return describe()


def timed(label: str, func, *args):  # type: ignore[no-untyped-def]
    # CPU seconds (all threads of this process) next to wall seconds: on a shared machine the
    # wall figure says more about the neighbours than about the code.
    start, cpu_start = time.perf_counter(), time.process_time()
    value = func(*args)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    print(f"{label}: {seconds:.2f} s wall, {cpu:.2f} s CPU", flush=True)
    return value, seconds


def encoder_speed(spec: str, sample: list[str], single: int) -> None:
    encoder, _ = timed(f"load encoder {spec!r} (cold, first in process)", load_encoder, spec)
    print(f"encoder: {encoder!r}, onnxruntime threads {inference_threads()}")
    encoder.encode(sample[:8])  # the first run allocates onnxruntime's buffers
    start, cpu_start = time.perf_counter(), time.process_time()
    for text in sample[:single]:
        encoder.encode([text])
    wall = (time.perf_counter() - start) / single * 1000
    cpu = (time.process_time() - cpu_start) / single * 1000
    print(f"single ticket: {wall:.1f} ms wall, {cpu:.1f} ms CPU (mean over {single})")
    cpu_start = time.process_time()
    _, seconds = timed(f"batched, {len(sample)} texts, batch 64", encoder.encode, sample)
    cpu = time.process_time() - cpu_start
    print(f"batched throughput: {len(sample) / seconds:.0f} texts/s wall, "
          f"{len(sample) / cpu:.0f} texts per CPU-second")


def accuracy(probabilities: np.ndarray, classes: np.ndarray, truth: pd.Series) -> float:
    return float((classes[probabilities.argmax(axis=1)] == truth.to_numpy()).mean())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", default="minilm")
    parser.add_argument("--single", type=int, default=200)
    parser.add_argument("--speed-only", action="store_true", help="skip the accuracy part")
    args = parser.parse_args()
    if not embeddings_available():
        print("the embeddings extra is not installed: pip install 'autotriage[embeddings]'")
        return 1
    print(machine(), flush=True)
    train = pd.read_csv(DATA / "train.csv")
    test = pd.read_csv(DATA / "test.csv")
    encoder_speed(args.spec, test.text.tolist(), args.single)
    if args.speed_only:
        return 0

    encoder = load_encoder(args.spec)
    train_vectors, _ = timed("embed train (10,003)", encoder.encode, train.text.tolist())
    test_vectors = encoder.encode(test.text.tolist())
    with threadpool_limits(1):  # BLAS oversubscription slows these fits on 2 cores
        embedding_head, _ = timed("fit LR on embeddings", default_head().fit,
                                  train_vectors, train.category)
        features = default_features()
        matrix, _ = timed("fit TF-IDF features", features.fit_transform, train.text.tolist())
        tfidf_head, _ = timed("fit LR on TF-IDF", default_head().fit, matrix, train.category)
        p_embed = embedding_head.predict_proba(test_vectors)
        p_tfidf = tfidf_head.predict_proba(features.transform(test.text.tolist()))
    assert list(embedding_head.classes_) == list(tfidf_head.classes_)
    classes = embedding_head.classes_
    for label, probabilities in [("LR on embeddings alone", p_embed),
                                 ("TF-IDF LR alone", p_tfidf),
                                 ("average of the two", (p_embed + p_tfidf) / 2)]:
        score = accuracy(probabilities, classes, test.category)
        print(f"BANKING77 test accuracy, {label}: {score:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
