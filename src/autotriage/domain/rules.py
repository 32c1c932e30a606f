"""Routing rules: a YAML document, checked against its schema with errors that name the line.

    timezone: Europe/Berlin
    business_hours: {days: [mon, tue, wed, thu, fri], start: "08:00", end: "18:00"}
    guardrails:                         # always force human review when a keyword appears
      - {name: legal-threat, keywords: [lawyer, Anwalt, abogado, avocat]}
    rules:                              # every condition of `when` must hold
      - name: vip-escalation
        when: {sender_domain: [bigcorp.com], urgency: high}
        then: {escalate: true, team: key-accounts}

The document is read node by node (`yaml.compose`), so every error carries the line and column
of the value to fix. Evaluation lives in domain/rule_eval.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from autotriage.domain.sentiment import SENTIMENTS, fold
from autotriage.errors import InvalidInput

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
LIST_CONDITIONS = ("urgency", "sentiment", "sender_domain", "channel", "language")
BOOL_CONDITIONS = ("business_hours", "sla_breach_risk")
CONDITIONS = (
    "predicted", "confidence_below", "keywords", *LIST_CONDITIONS, *BOOL_CONDITIONS,
)
ACTIONS = ("team", "group", "escalate", "review")
_STR = "tag:yaml.org,2002:str"
_BOOL = "tag:yaml.org,2002:bool"
_NUMBERS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")


@dataclass(frozen=True)
class RuleError:
    line: int | None
    column: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}, column {self.column}" if self.line else "document"
        return f"{where} ({self.path or 'top'}): {self.message}"


class RulesInvalid(InvalidInput):
    code = "invalid_rules"

    def __init__(self, errors: list[RuleError]) -> None:
        super().__init__(
            "the rules document is invalid: " + "; ".join(str(e) for e in errors),
            details=[e.__dict__ for e in errors],
        )
        self.errors = errors


@dataclass(frozen=True)
class Keywords:
    words: tuple[str, ...]
    pattern: re.Pattern[str]

    @classmethod
    def of(cls, words: list[str]) -> Keywords:
        folded = tuple(dict.fromkeys(fold(w).strip() for w in words))
        alternatives = "|".join(re.escape(w) for w in sorted(folded, key=len, reverse=True))
        return cls(folded, re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)"))

    def found(self, folded_text: str) -> list[str]:
        return list(dict.fromkeys(m.group() for m in self.pattern.finditer(folded_text)))


@dataclass(frozen=True)
class Rule:
    name: str
    line: int
    when: dict[str, Any]
    then: dict[str, Any]
    guardrail: bool = False


@dataclass(frozen=True)
class BusinessHours:
    days: frozenset[int]
    start: time
    end: time


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...] = ()
    guardrails: tuple[Rule, ...] = ()
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    business_hours: BusinessHours | None = None


def parse_rules(text: str) -> RuleSet:
    """The rule set of a YAML document, or RulesInvalid listing every problem with its line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise RulesInvalid([RuleError(mark.line + 1 if mark else None,
                                      mark.column + 1 if mark else None, "",
                                      f"not valid YAML: {exc.problem or exc.context}")]) from exc
    except yaml.YAMLError as exc:
        raise RulesInvalid([RuleError(None, None, "", f"not valid YAML: {exc}")]) from exc
    checker = _Checker()
    ruleset = checker.document(root)
    if checker.errors:
        raise RulesInvalid(checker.errors)
    return ruleset


class _Checker:
    def __init__(self) -> None:
        self.errors: list[RuleError] = []

    def fail(self, node: Node, path: str, message: str) -> None:
        self.errors.append(RuleError(node.start_mark.line + 1, node.start_mark.column + 1,
                                     path, message))

    def mapping(self, node: Node, path: str, allowed: tuple[str, ...] | None
                ) -> dict[str, Node]:
        """The mapping's values by key; `allowed` None accepts any key (label field names)."""
        if not isinstance(node, MappingNode):
            self.fail(node, path, "expected a mapping (key: value lines)")
            return {}
        out: dict[str, Node] = {}
        for key, value in node.value:
            name = key.value if isinstance(key, ScalarNode) else str(key.value)
            if name in out:
                self.fail(key, path, f"{name!r} appears twice; keep one")
            elif allowed is not None and name not in allowed:
                self.fail(key, path, f"unknown key {name!r}; use one of {list(allowed)}")
            else:
                out[name] = value
        return out

    def string(self, node: Node, path: str) -> str | None:
        if isinstance(node, ScalarNode) and node.tag in (_STR, *_NUMBERS) and node.value.strip():
            return str(node.value).strip()
        self.fail(node, path, "expected a non-empty text value")
        return None

    def strings(self, node: Node, path: str) -> list[str]:
        """A text or a list of texts (a single value is a list of one)."""
        items = node.value if isinstance(node, SequenceNode) else [node]
        values = [self.string(item, f"{path}[{i}]") for i, item in enumerate(items)]
        if not items:
            self.fail(node, path, "expected at least one value")
        return [v for v in values if v is not None]

    def boolean(self, node: Node, path: str) -> bool | None:
        if isinstance(node, ScalarNode) and node.tag == _BOOL:
            return bool(yaml.constructor.SafeConstructor().construct_yaml_bool(node))
        self.fail(node, path, "expected true or false")
        return None

    def number(self, node: Node, path: str) -> float | None:
        if isinstance(node, ScalarNode) and node.tag in _NUMBERS:
            try:
                value = float(node.value)
            except ValueError:
                value = -1.0
            if 0 <= value <= 1:
                return value
        self.fail(node, path, "expected a number between 0 and 1")
        return None

    def document(self, root: Node | None) -> RuleSet:
        if root is None:
            self.errors.append(RuleError(1, 1, "", "the document is empty; add `rules:`"))
            return RuleSet()
        top = self.mapping(root, "", ("timezone", "business_hours", "guardrails", "rules"))
        zone = self.zone(top["timezone"]) if "timezone" in top else ZoneInfo("UTC")
        hours = self.hours(top["business_hours"]) if "business_hours" in top else None
        guardrails = self.rule_list(top.get("guardrails"), "guardrails", guardrail=True)
        rules = self.rule_list(top.get("rules"), "rules", guardrail=False)
        names = [r.name for r in (*guardrails, *rules)]
        for rule in (*guardrails, *rules):
            if names.count(rule.name) > 1:
                self.errors.append(RuleError(rule.line, None, rule.name,
                                             f"rule name {rule.name!r} is used more than once"))
        if hours is None and any("business_hours" in r.when for r in rules):
            self.errors.append(RuleError(None, None, "business_hours",
                                         "rules use business_hours but the document defines none"))
        return RuleSet(tuple(rules), tuple(guardrails), zone or ZoneInfo("UTC"), hours)

    def zone(self, node: Node) -> ZoneInfo | None:
        name = self.string(node, "timezone")
        try:
            return ZoneInfo(name) if name else None
        except (ZoneInfoNotFoundError, ValueError):
            self.fail(node, "timezone", f"unknown time zone {name!r}; use e.g. Europe/Berlin")
            return None

    def hours(self, node: Node) -> BusinessHours | None:
        parts = self.mapping(node, "business_hours", ("days", "start", "end"))
        missing = [k for k in ("days", "start", "end") if k not in parts]
        if missing:
            self.fail(node, "business_hours", f"missing {missing}")
            return None
        days = []
        for i, item in enumerate(parts["days"].value if isinstance(parts["days"], SequenceNode)
                                 else [parts["days"]]):
            day = str(item.value).lower()[:3] if isinstance(item, ScalarNode) else ""
            if day not in DAYS:
                self.fail(item, f"business_hours.days[{i}]", f"unknown day; use {list(DAYS)}")
            else:
                days.append(DAYS.index(day))
        start, end = self.clock(parts["start"], "start"), self.clock(parts["end"], "end")
        if start is None or end is None:
            return None
        if start >= end:
            self.fail(parts["end"], "business_hours.end", "end must be later than start")
            return None
        return BusinessHours(frozenset(days), start, end)

    def clock(self, node: Node, name: str) -> time | None:
        # The raw text: YAML 1.1 reads an unquoted 8:00 as the number 480.
        raw = str(node.value) if isinstance(node, ScalarNode) else ""
        match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", raw.strip())
        if match is None:
            self.fail(node, f"business_hours.{name}", "expected a time like \"08:00\"")
            return None
        return time(int(match.group(1)), int(match.group(2)))

    def rule_list(self, node: Node | None, path: str, *, guardrail: bool) -> list[Rule]:
        if node is None:
            return []
        if not isinstance(node, SequenceNode):
            self.fail(node, path, "expected a list of rules (lines starting with '- ')")
            return []
        rules = [self.rule(item, f"{path}[{i}]", guardrail) for i, item in enumerate(node.value)]
        return [r for r in rules if r is not None]

    def rule(self, node: Node, path: str, guardrail: bool) -> Rule | None:
        keys = ("name", "keywords") if guardrail else ("name", "when", "then")
        parts = self.mapping(node, path, keys)
        name = self.string(parts["name"], f"{path}.name") if "name" in parts else None
        if "name" not in parts:
            self.fail(node, path, "every rule needs a `name`")
        if guardrail:
            if "keywords" not in parts:
                self.fail(node, path, "a guardrail needs `keywords`")
                return None
            when = self.conditions_of({"keywords": parts["keywords"]}, path)
            then = {"review": True}
        else:
            when = self.conditions(parts["when"], f"{path}.when") if "when" in parts else {}
            if "then" not in parts:
                self.fail(node, path, "a rule needs `then` (team, group, escalate or review)")
                return None
            then = self.actions(parts["then"], f"{path}.then")
        if name is None:
            return None
        return Rule(name, node.start_mark.line + 1, when, then, guardrail)

    def conditions(self, node: Node, path: str) -> dict[str, Any]:
        return self.conditions_of(self.mapping(node, path, CONDITIONS), path)

    def conditions_of(self, parts: dict[str, Node], path: str) -> dict[str, Any]:
        when: dict[str, Any] = {}
        for key, value in parts.items():
            where = f"{path}.{key}"
            if key in ("predicted", "confidence_below"):
                pairs = self.mapping(value, where, None)
                if key == "predicted":
                    when[key] = {f: set(self.strings(v, f"{where}.{f}")) for f, v in pairs.items()}
                else:
                    when[key] = {f: self.number(v, f"{where}.{f}") for f, v in pairs.items()}
            elif key == "keywords":
                when[key] = Keywords.of(self.strings(value, where))
            elif key in BOOL_CONDITIONS:
                when[key] = self.boolean(value, where)
            else:
                values = {v.lower() for v in self.strings(value, where)}
                if key == "sentiment" and values - set(SENTIMENTS):
                    self.fail(value, where, f"sentiment is one of {list(SENTIMENTS)}")
                when[key] = values
        return when

    def actions(self, node: Node, path: str) -> dict[str, Any]:
        parts = self.mapping(node, path, ACTIONS)
        then: dict[str, Any] = {}
        for key, value in parts.items():
            if key in ("team", "group"):
                then[key] = self.string(value, f"{path}.{key}")
            else:
                then[key] = self.boolean(value, f"{path}.{key}")
        if isinstance(node, MappingNode) and not parts:
            self.fail(node, path, f"name at least one action of {list(ACTIONS)}")
        return then

