"""First run (what `make run` does): schema, admin, demo champion and demo urgency model."""

from __future__ import annotations

import json
from pathlib import Path

from autotriage.bootstrap import prepare
from autotriage.config import Settings
from autotriage.domain.routing import URGENCY_DIR
from autotriage.runtime import Runtime


def test_first_run_trains_the_demo_champion_and_urgency_model(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", demo_tickets=600,  # type: ignore[call-arg]
                        _env_file=None)
    said: list[str] = []
    prepare(settings, say=said.append)
    assert any("demo champion" in line for line in said)
    report = json.loads((settings.resolved_model_dir / URGENCY_DIR / "report.json").read_text())
    assert report["n_train"] == 480
    assert 0.0 < report["test"]["accuracy"] <= 1.0
    runtime = Runtime(settings)
    try:
        assert runtime.load_champion()
        assert runtime.routing.urgency is not None
    finally:
        runtime.close()
    prepare(settings, say=said.append)  # a second start trains nothing
    assert sum("demo champion" in line for line in said) == 1
