"""A drift report as one self-contained HTML page (no scripts, no external assets)."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, select_autoescape

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Drift report</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;margin:1rem 0}td,th{padding:.3rem .7rem;border-bottom:1px solid #ddd;
text-align:left}.drift{background:#fde2e1}.ok{background:#e6f4ea}.bar{display:inline-block;height:.7rem;
background:#4a78c2}.bar.cur{background:#d9822b}.verdict{font-size:1.3rem;padding:.5rem 1rem}
</style></head><body>
<h1>Drift report</h1>
<p class="verdict {{ 'drift' if report.drift_detected else 'ok' }}">
{% if report.status == 'insufficient_data' %}Not enough tickets yet: {{ report.current.n_texts }}
of the {{ report.thresholds.min_texts }} needed.
{% elif report.drift_detected %}Drift detected (severity {{ report.severity }}).
{% else %}No drift detected (severity {{ report.severity }}).{% endif %}</p>
<p>Model {{ report.model_version }}; reference of {{ report.reference.n_texts }} training texts
(made {{ report.reference.created_at }}); current window: the newest
{{ report.current.n_texts }} tickets; checked {{ report.checked_at }}.</p>
{% if report.checks %}
<table><tr><th>check</th><th>field</th><th>test</th><th>score</th><th>threshold</th>
<th>p-value</th><th>drift</th></tr>
{% for c in report.checks %}<tr class="{{ 'drift' if c.drifted else '' }}"><td>{{ c.check }}</td>
<td>{{ c.field or '' }}</td><td>{{ c.test }}</td><td>{{ c.score }}</td><td>{{ c.threshold }}</td>
<td>{{ '%.3g' % c.p_value }}</td><td>{{ 'yes' if c.drifted else 'no' }}</td></tr>
{% endfor %}</table>
{% for c in report.checks if c.check == 'predicted_label' %}
<h2>Predicted {{ c.field }}: largest changes in share</h2>
<table><tr><th>label</th><th>reference (blue) / current (orange)</th></tr>
{% for row in c.details.largest_changes %}<tr><td>{{ row.label }}</td><td>
<span class="bar" style="width:{{ (row.reference_share * 300) | round(1) }}px"></span>
{{ '%.1f' % (row.reference_share * 100) }}%<br>
<span class="bar cur" style="width:{{ (row.current_share * 300) | round(1) }}px"></span>
{{ '%.1f' % (row.current_share * 100) }}%</td></tr>{% endfor %}</table>
{% endfor %}{% endif %}
<p>A check flags drift when its change is significant (p &lt; {{ report.thresholds.alpha }}) and
at least its threshold. JSON: <code>GET /api/v1/drift</code>.</p>
</body></html>"""

_template = Environment(autoescape=select_autoescape(default=True)).from_string(_PAGE)


def render_drift_report(report: dict[str, Any]) -> str:
    return _template.render(report=report)
