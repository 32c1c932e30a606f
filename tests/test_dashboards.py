"""Grafana dashboards, Prometheus config and alert rules: valid for the real tools (promtool),
and every PromQL expression names only metrics the app exports (and the README documents)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from tests.test_metrics import promtool

ROOT = Path(__file__).resolve().parents[1]
PROMETHEUS = ROOT / "deploy" / "prometheus"
GRAFANA = ROOT / "deploy" / "grafana"
DASHBOARDS = sorted((GRAFANA / "dashboards").glob("*.json"))
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"),
            "summary": ("", "_sum", "_count"), "gauge": ("",), "untyped": ("",), "info": ("_info",)}
PROMQL_WORDS = {"and", "or", "unless", "by", "without", "on", "ignoring", "group_left",
                "group_right", "offset", "bool", "inf", "nan"}
# Issue 7: what the dashboard must show, one panel title each (lower case, a word of each).
REQUIRED_PANELS = ("latency", "request rate", "error rate", "decision mix", "auto-route rate",
                   "review backlog", "realized precision", "model version", "drift", "retrain")


def metric_names(expr: str) -> set[str]:
    """Metric names in a PromQL expression: identifiers left once strings, label matchers,
    grouping clauses and ranges are removed, that are neither functions nor keywords."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    expr = re.sub(r"\{[^}]*\}", "", expr)
    expr = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", expr)
    expr = re.sub(r"\[[^\]]*\]", "", expr)
    names = set()
    for match in re.finditer(r"(?<![\w:.])[A-Za-z_:][\w:]*", expr):
        follows = expr[match.end():].lstrip()
        if follows.startswith("(") or match.group(0).lower() in PROMQL_WORDS:
            continue
        names.add(match.group(0))
    return names


def dashboard_expressions() -> list[tuple[str, str]]:
    found = []
    for path in DASHBOARDS:
        for panel in json.loads(path.read_text())["panels"]:
            found += [(f"{path.name}: {panel['title']}", t["expr"]) for t in panel["targets"]]
    return found


def alert_rules() -> list[dict[str, Any]]:
    groups = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


@pytest.fixture
def exported(client: TestClient) -> dict[str, str]:
    """Family name -> type, from the app's own exposition."""
    families = text_string_to_metric_families(client.get("/metrics").text)
    return {family.name: family.type for family in families}


def test_metric_name_parser() -> None:
    expr = ('histogram_quantile(0.99, sum by (le) (rate(a_bucket{route=~"/x.*", le!="1"}[5m])))'
            ' > 1 and on(field) max by (field) (b offset 1h) < 4 * 3600 or c')
    assert metric_names(expr) == {"a_bucket", "b", "c"}


def test_every_expression_uses_exported_metrics(exported: dict[str, str]) -> None:
    series = {name + suffix for name, kind in exported.items() for suffix in SUFFIXES[kind]}
    expressions = dashboard_expressions() + [(r["alert"], r["expr"]) for r in alert_rules()]
    assert len(expressions) > 20
    for where, expr in expressions:
        names = metric_names(expr)
        assert names, f"{where}: no metric in {expr!r}"
        unknown = names - series
        assert not unknown, f"{where}: {sorted(unknown)} are not exported"


def test_every_exported_metric_is_documented(exported: dict[str, str]) -> None:
    readme = (ROOT / "README.md").read_text()
    ours = sorted(name for name in exported if name.startswith("autotriage_"))
    assert len(ours) > 25
    missing = [name for name in ours
               if not any(f"`{name}{s}`" in readme for s in ("", *SUFFIXES[exported[name]]))]
    assert not missing, f"README's Monitoring section does not list {missing}"


def test_dashboard_shows_what_operators_need() -> None:
    assert DASHBOARDS
    datasource = yaml.safe_load(
        (GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text())
    uid = datasource["datasources"][0]["uid"]
    for path in DASHBOARDS:
        dashboard = json.loads(path.read_text())
        titles = [p["title"].lower() for p in dashboard["panels"]]
        for wanted in REQUIRED_PANELS:
            assert any(wanted in t for t in titles), f"{path.name}: no panel about {wanted}"
        ids = [p["id"] for p in dashboard["panels"]]
        assert len(ids) == len(set(ids))
        for panel in dashboard["panels"]:
            assert panel["datasource"]["uid"] == uid and panel["targets"]
    provider = yaml.safe_load(
        (GRAFANA / "provisioning" / "dashboards" / "autotriage.yml").read_text())
    assert provider["providers"][0]["type"] == "file"


def _promtool(*args: str, cwd: Path = PROMETHEUS) -> str:
    result = subprocess.run([promtool(), *args], cwd=cwd, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_dashboard_expressions_are_valid_promql(tmp_path: Path) -> None:
    """promtool parses every dashboard query, turned into recording rules."""
    rules = [{"record": f"dashboard:query_{i}", "expr": expr}
             for i, (_where, expr) in enumerate(dashboard_expressions())]
    path = tmp_path / "dashboard_rules.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    assert f"SUCCESS: {len(rules)} rules found" in _promtool("check", "rules", str(path))


def test_alert_rules_and_config_pass_promtool() -> None:
    wanted = {"AutotriageHighErrorRate", "AutotriageHighLatencyP99",
              "AutotriageReviewBacklogGrowing", "AutotriageRealizedPrecisionBelowTarget",
              "AutotriageDriftDetected", "AutotriageWorkerLag", "AutotriageDeadLetters",
              "AutotriageModelNotLoaded", "AutotriageModelLoadFailures"}
    assert wanted <= {rule["alert"] for rule in alert_rules()}
    _promtool("check", "rules", "alerts.yml")
    _promtool("check", "config", "prometheus.yml")


def test_alert_unit_tests_pass() -> None:
    tested = {case["alertname"]
              for test in yaml.safe_load((PROMETHEUS / "alerts_test.yml").read_text())["tests"]
              for case in test.get("alert_rule_test", []) if case["exp_alerts"]}
    assert tested == {rule["alert"] for rule in alert_rules()}  # every alert is seen firing
    assert "SUCCESS" in _promtool("test", "rules", "alerts_test.yml")
