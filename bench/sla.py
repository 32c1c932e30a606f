"""SLA (resolution-time) model on the full ServiceNow incident event log, time-ordered split.

    .venv/bin/python bench/sla.py [--test-size 0.2]

Prints MAE, pinball loss at 0.5 and 0.9 and p90 coverage for the quantile model and the
per-priority baselines, training time, prediction speed and the machine. Asserts nothing.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from pathlib import Path

from machine import describe  # bench/machine.py (benchmarks run as scripts)

from autotriage.ml import sla_evaluation

DATA = (Path(__file__).resolve().parents[2] / "shared" / "data" / "incident_event_log"
        / "incident_event_log.csv.gz")


def machine() -> str:
    return describe()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--test-size", type=float, default=0.2)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    started = time.perf_counter()
    frame = sla_evaluation.read_incident_log(DATA)
    print(f"incidents with a resolution time: {len(frame)} (read and aggregated in "
          f"{time.perf_counter() - started:.1f} s)")
    started = time.perf_counter()
    model, report = sla_evaluation.train_and_evaluate(frame, sla_evaluation.DEFAULT_FEATURES,
                                                      args.test_size)
    print(f"train (two quantile models on {report['n_train']} incidents) + evaluate: "
          f"{time.perf_counter() - started:.1f} s; test: {report['n_test']} incidents opened "
          f"from {report['test_opened_from']}")
    print(f"{'':34}{'MAE h':>8}{'pinball.5':>11}{'pinball.9':>11}{'p90 cover':>11}")
    for name in ("model", "baseline_median_per_priority", "baseline_quantiles_per_priority"):
        f = report[name]
        print(f"{name:34}{f['mae_hours']:>8.1f}{f['pinball_50']:>11.1f}{f['pinball_90']:>11.1f}"
              f"{f['p90_coverage']:>11.3f}")
    _, test = sla_evaluation.time_split(frame, args.test_size)
    one = test.iloc[:1]
    started = time.perf_counter()
    for _ in range(200):
        model.predict_frame(one)
    single_ms = (time.perf_counter() - started) / 200 * 1000
    started = time.perf_counter()
    model.predict_frame(test)
    rate = len(test) / (time.perf_counter() - started)
    print(f"prediction: {single_ms:.2f} ms for one ticket, {rate:,.0f} tickets/s batched")
    print(f"measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")


if __name__ == "__main__":
    main()
