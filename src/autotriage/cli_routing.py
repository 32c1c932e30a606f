"""`autotriage rules|sla|urgency ...`: check and dry-run routing rules, train and evaluate the
SLA and urgency models. Sub-commands of the main CLI (cli.py adds them)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from autotriage.config import Settings
from autotriage.errors import AutotriageError, DataError

rules_app = typer.Typer(no_args_is_help=True, help="Check routing rules and dry-run them.")
sla_app = typer.Typer(no_args_is_help=True, help="Resolution-time (SLA) model.")
urgency_app = typer.Typer(no_args_is_help=True, help="Urgency model.")
console = Console(stderr=True)


def _fail(exc: AutotriageError) -> typer.Exit:
    lines = [e for e in exc.details or [] if isinstance(e, dict) and "message" in e]
    if not lines:
        console.print(f"[red]error:[/red] {exc.message}")
    else:
        console.print("[red]error:[/red] the rules document is invalid", highlight=False)
        for e in lines:
            where = f"line {e['line']}, column {e['column']}" if e.get("line") else "document"
            console.print(f"  {where}: {e.get('path') or 'top'}: {e['message']}", highlight=False,
                          soft_wrap=True)
    return typer.Exit(2)


@rules_app.command("check")
def rules_check(
    file: Annotated[Path | None, typer.Argument(help="default: the active rules")] = None,
) -> None:
    """Validate a rules file; every error is printed with its line. Exit code 2 when invalid."""
    from autotriage.domain.rules import parse_rules

    try:
        document = file.read_text(encoding="utf-8") if file else _active_document()
        ruleset = parse_rules(document)
    except AutotriageError as exc:
        raise _fail(exc) from exc
    except OSError as exc:
        console.print(f"[red]error:[/red] cannot read {file}: {exc}")
        raise typer.Exit(2) from exc
    console.print(f"valid: {len(ruleset.guardrails)} guardrail(s), {len(ruleset.rules)} rule(s)")


def _active_document() -> str:
    from autotriage.runtime import Runtime

    runtime = Runtime(Settings())
    try:
        with runtime.sessions() as session:
            return runtime.routing.rulebook.current(session).document
    finally:
        runtime.close()


@rules_app.command("dry-run")
def rules_dry_run(
    body: Annotated[str, typer.Option(help="ticket text")],
    subject: Annotated[str, typer.Option()] = "",
    sender: Annotated[str | None, typer.Option()] = None,
    channel: Annotated[str | None, typer.Option()] = None,
    predicted: Annotated[list[str] | None, typer.Option(
        help="field=label instead of the model's prediction; repeatable")] = None,
    rules: Annotated[Path | None, typer.Option(help="a rules file instead of the active")] = None,
) -> None:
    """Print which rules fire for a ticket and why (JSON on stdout)."""
    from autotriage.domain.routing import dry_run
    from autotriage.domain.rules import parse_rules
    from autotriage.runtime import Runtime

    labels = _pairs(predicted) if predicted else None
    runtime = Runtime(Settings())
    try:
        with runtime.sessions() as session:
            ruleset = (parse_rules(rules.read_text(encoding="utf-8")) if rules
                       else runtime.routing.rulebook.current(session).ruleset)
        loaded = runtime.load_champion() if labels is None else False
        ticket = _CliTicket(subject, body, sender, channel, datetime.now(UTC))
        result = dry_run(runtime.routing, ruleset, ticket,
                         model=runtime.models.model if loaded else None,
                         policy=runtime.policy() if loaded else None,
                         predicted=labels, overrides={})
    except AutotriageError as exc:
        raise _fail(exc) from exc
    finally:
        runtime.close()
    typer.echo(json.dumps({
        "predicted": result.predicted,
        "policy_decision": result.policy_decision, "decision": result.decision,
        "team": result.outcome.team, "group": result.outcome.group,
        "signals": result.signals.as_dict(),
        "rules": [{"name": c.name, "fired": c.fired, "why": c.why} for c in result.outcome.checks],
    }, indent=2, ensure_ascii=False))


class _CliTicket:
    def __init__(self, subject: str, body: str, sender: str | None, channel: str | None,
                 created_at: datetime) -> None:
        self.subject, self.body, self.sender = subject, body, sender
        self.channel, self.created_at = channel, created_at


def _pairs(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name or not value:
            raise typer.BadParameter(f"{item!r}: use field=label, e.g. queue=billing")
        out[name] = value
    return out


def _models_dir(sub: str) -> Path:
    return Settings().resolved_model_dir / sub


@sla_app.command("train")
def sla_train(
    data: Annotated[Path, typer.Option(help="incident event log, or a table with opened_at, "
                                            "resolved_at and feature columns")],
    features: Annotated[str | None, typer.Option(help="comma-separated categorical columns")]
    = None,
    test_size: Annotated[float, typer.Option(min=0.05, max=0.5)] = 0.2,
    limit: Annotated[int | None, typer.Option(help="use only the earliest N tickets")] = None,
    output: Annotated[Path | None, typer.Option(help="default: <model dir>/sla, where "
                                                     "the service loads it")] = None,
) -> None:
    """Train p50/p90 resolution-time models on the earlier tickets, evaluate them on the later
    ones against per-priority baselines; writes the model and report.json."""
    from threadpoolctl import threadpool_limits

    from autotriage.ml import sla_evaluation

    wanted = [c.strip() for c in features.split(",")] if features else None
    try:
        frame = sla_evaluation.read_resolution_table(data, limit=limit)
        columns = wanted or [c for c in sla_evaluation.DEFAULT_FEATURES if c in frame]
        with threadpool_limits(1):
            model, report = sla_evaluation.train_and_evaluate(frame, columns, test_size)
    except AutotriageError as exc:
        raise _fail(exc) from exc
    target = output or _models_dir("sla")
    model.save(target)
    _write_report(target, {**report, "features": columns, "data": str(data)})


@sla_app.command("evaluate")
def sla_evaluate(
    data: Annotated[Path, typer.Option(help="as for `sla train`")],
    model: Annotated[Path | None, typer.Option(help="default: <model dir>/sla")] = None,
    test_size: Annotated[float, typer.Option(min=0.05, max=0.95)] = 0.2,
    limit: Annotated[int | None, typer.Option()] = None,
) -> None:
    """Evaluate a stored SLA model on the latest TEST_SIZE share of the data (baselines fit on
    the rest)."""
    from autotriage.ml import sla_evaluation
    from autotriage.ml.sla import SlaModel

    location = model or _models_dir("sla")
    try:
        loaded = SlaModel.load(location)
        if loaded is None:
            raise DataError(f"no SLA model in {location}; run `autotriage sla train` first")
        frame = sla_evaluation.read_resolution_table(data, limit=limit)
        train, test = sla_evaluation.time_split(frame, test_size)
        report = sla_evaluation.evaluate(loaded, train, test)
    except AutotriageError as exc:
        raise _fail(exc) from exc
    typer.echo(json.dumps(report, indent=2))


@urgency_app.command("train")
def urgency_train(
    data: Annotated[Path, typer.Option(help="CSV, JSONL or Parquet with text and priority")],
    label_column: Annotated[str, typer.Option()] = "priority",
    text_columns: Annotated[str, typer.Option(help="comma-separated")] = "subject,body",
    test_size: Annotated[float, typer.Option(min=0.0, max=0.5)] = 0.2,
    output: Annotated[Path | None, typer.Option(help="default: <model dir>/urgency")] = None,
) -> None:
    """Train the urgency model from priority labels and urgency cues; writes report.json."""
    from autotriage.ml.urgency import UrgencyModel, evaluate_urgency

    try:
        texts, labels = _texts_and_labels(data, text_columns, label_column)
        cut = int(len(texts) * (1 - test_size))
        model = UrgencyModel().fit(texts[:cut], labels[:cut])
        report: dict[str, Any] = {"n_train": cut, "data": str(data)}
        if cut < len(texts):
            report["test"] = evaluate_urgency(model, texts[cut:], labels[cut:])
    except (AutotriageError, ValueError) as exc:
        raise _fail(exc if isinstance(exc, AutotriageError) else DataError(str(exc))) from exc
    target = output or _models_dir("urgency")
    model.save(target)
    _write_report(target, report)


def _texts_and_labels(data: Path, text_columns: str, label_column: str
                      ) -> tuple[list[str], list[str]]:
    from autotriage.ml import training

    frame = training.read_table(data)
    columns = [c.strip() for c in text_columns.split(",") if c.strip()]
    training.check_training_table(frame, data, columns, [label_column])
    # Shuffled once with a fixed seed: files are often sorted by label.
    frame = frame.sample(frac=1.0, random_state=0)
    texts = frame[columns].fillna("").astype(str).agg("\n".join, axis=1).tolist()
    return texts, frame[label_column].astype(str).tolist()


def _write_report(directory: Path, report: dict[str, Any]) -> None:
    path = directory / "report.json"
    path.write_text(json.dumps(report, indent=2))
    typer.echo(json.dumps(report, indent=2))
    console.print(f"model and report in {directory}")
