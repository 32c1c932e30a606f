"""Synthetic, multilingual support tickets for the one-command demo.

The data is our own: phrases live in ``demo_phrases`` and tickets are composed from them
with a seeded ``random.Random``, so the same ``n`` and ``seed`` always give the same
tickets (no set iteration, no clock, no hash-dependent ordering).

The labels are deliberately *not* perfectly recoverable from the text: some tickets mix
two queues' topics, some are routed to the "other" queue, priority cues are sometimes
missing or point one level off. A classifier should therefore land well below 100 %,
which is what a demo of calibration and human review needs.
"""

from __future__ import annotations

import csv
import json
import random
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from autotriage.demo_phrases import (
    APPS,
    BROWSERS,
    EMAIL_DOMAINS,
    ERROR_WORDS,
    LANGUAGE_PACKS,
    OS_NAMES,
    PLANS,
    PRODUCTS,
    LanguagePack,
)

QUEUES: tuple[str, ...] = (
    "billing",
    "technical_support",
    "account_access",
    "shipping",
    "returns_refunds",
    "product_inquiry",
    "security",
    "hr_it_internal",
)
PRIORITIES: tuple[str, ...] = ("low", "medium", "high")
TYPES: tuple[str, ...] = ("incident", "request", "problem", "change")
LANGUAGES: tuple[str, ...] = ("en", "de", "es", "fr")
CHANNELS: tuple[str, ...] = ("email", "web", "chat", "phone")
FIELDS: tuple[str, ...] = (
    "external_id",
    "subject",
    "body",
    "sender",
    "channel",
    "language",
    "queue",
    "priority",
    "type",
    "created_at",
)

BASE_DATE = datetime(2026, 11, 1, tzinfo=UTC)
_WINDOW_SECONDS = 30 * 24 * 3600
_LANGUAGE_WEIGHTS = (55, 15, 15, 15)
_CHANNEL_WEIGHTS = (45, 30, 15, 10)
_QUEUE_WEIGHTS = (16, 18, 13, 13, 11, 10, 8, 11)

# Priority depends on the queue (security skews high, pre-sales questions low) so that the
# queue itself carries some priority signal, as it does in real help desks.
_PRIORITY_PRIOR: dict[str, tuple[float, float, float]] = {
    "billing": (0.30, 0.45, 0.25),
    "technical_support": (0.25, 0.45, 0.30),
    "account_access": (0.20, 0.45, 0.35),
    "shipping": (0.30, 0.50, 0.20),
    "returns_refunds": (0.40, 0.45, 0.15),
    "product_inquiry": (0.60, 0.35, 0.05),
    "security": (0.10, 0.35, 0.55),
    "hr_it_internal": (0.35, 0.45, 0.20),
}
_TYPE_PRIOR: dict[str, tuple[float, float, float, float]] = {
    "billing": (0.25, 0.30, 0.20, 0.25),
    "technical_support": (0.45, 0.15, 0.30, 0.10),
    "account_access": (0.40, 0.25, 0.15, 0.20),
    "shipping": (0.35, 0.35, 0.20, 0.10),
    "returns_refunds": (0.15, 0.55, 0.15, 0.15),
    "product_inquiry": (0.05, 0.75, 0.05, 0.15),
    "security": (0.55, 0.15, 0.20, 0.10),
    "hr_it_internal": (0.30, 0.40, 0.10, 0.20),
}
# Topics that real customers actually blur together; mixed tickets prefer these pairs.
_NEIGHBOURS: dict[str, tuple[str, ...]] = {
    "billing": ("returns_refunds", "shipping", "account_access"),
    "technical_support": ("hr_it_internal", "account_access", "product_inquiry"),
    "account_access": ("security", "technical_support"),
    "shipping": ("returns_refunds", "billing"),
    "returns_refunds": ("billing", "shipping"),
    "product_inquiry": ("technical_support", "shipping"),
    "security": ("account_access", "technical_support"),
    "hr_it_internal": ("technical_support", "account_access"),
}

# Noise knobs, tuned so a TF-IDF + logistic regression baseline reaches roughly 85-95 %
# on queue and 65-85 % on priority (see tests/test_demo_data.py).
_MIXED_TOPIC_RATE = 0.14
_MIXED_LABEL_SWAP = 0.40
_RANDOM_QUEUE_RATE = 0.03
_CUE_RATE = {"low": 0.70, "medium": 0.60, "high": 0.85}
_MISLEADING_CUE_RATE = 0.07
_TYPE_CUE_RATE = 0.80
_MISLEADING_TYPE_RATE = 0.05


def generate_tickets(n: int, seed: int = 42) -> list[dict[str, str]]:
    """Each dict has keys: external_id, subject, body, sender, channel, language, queue,
    priority, type, created_at (ISO 8601 UTC)."""
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    rng = random.Random(seed)
    # Sorted offsets make ids increase with creation time, like a real ticket system.
    offsets = sorted((rng.randrange(_WINDOW_SECONDS) for _ in range(n)), reverse=True)
    return [
        _make_ticket(rng, number, BASE_DATE - timedelta(seconds=offset))
        for number, offset in enumerate(offsets, start=1)
    ]


def write_tickets(path: Path, tickets: Iterable[Mapping[str, str]]) -> None:
    """Writes .csv or .jsonl chosen by the suffix (utf-8, csv with header); ValueError for
    other suffixes."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".jsonl"):
        raise ValueError(f"unsupported suffix {path.suffix!r}: use .csv or .jsonl")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        if suffix == ".csv":
            writer = csv.DictWriter(handle, fieldnames=list(FIELDS), extrasaction="ignore")
            writer.writeheader()
            for ticket in tickets:
                writer.writerow({field: ticket.get(field, "") for field in FIELDS})
        else:
            for ticket in tickets:
                handle.write(json.dumps(dict(ticket), ensure_ascii=False) + "\n")


def _make_ticket(rng: random.Random, number: int, created_at: datetime) -> dict[str, str]:
    language = _weighted(rng, LANGUAGES, _LANGUAGE_WEIGHTS)
    pack = LANGUAGE_PACKS[language]
    topic = _weighted(rng, QUEUES, _QUEUE_WEIGHTS)
    channel = _weighted(rng, CHANNELS, _CHANNEL_WEIGHTS)
    priority = _weighted(rng, PRIORITIES, _PRIORITY_PRIOR[topic])
    ticket_type = _weighted(rng, TYPES, _TYPE_PRIOR[topic])
    queue, side_topic = _route(rng, topic)
    slots = _draw_slots(rng, language)
    first, last = rng.choice(pack["first_names"]), rng.choice(pack["last_names"])

    # When the label went to the side topic, the subject sometimes follows it too, which
    # makes these tickets genuinely ambiguous rather than simply mislabelled.
    subject_topic = queue if side_topic == queue and rng.random() < 0.5 else topic
    prefix, cue_sentences, shout = _priority_cues(rng, pack, priority)
    subject = _compose_subject(rng, pack, subject_topic, prefix, shout, slots)
    body = _compose_body(
        rng,
        pack,
        topic,
        side_topic,
        ticket_type,
        cue_sentences,
        shout,
        channel,
        slots,
        (first, last),
    )
    return {
        "external_id": f"DEMO-{number:06d}",
        "subject": subject,
        "body": body,
        "sender": _sender(rng, first, last),
        "channel": channel,
        "language": language,
        "queue": queue,
        "priority": priority,
        "type": ticket_type,
        "created_at": created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def _route(rng: random.Random, topic: str) -> tuple[str, str | None]:
    """Return (label queue, second topic mentioned in the text or None)."""
    roll = rng.random()
    if roll < _MIXED_TOPIC_RATE:
        if rng.random() < 0.7:
            side = rng.choice(_NEIGHBOURS[topic])
        else:
            side = rng.choice([q for q in QUEUES if q != topic])
        return (side if rng.random() < _MIXED_LABEL_SWAP else topic), side
    if roll < _MIXED_TOPIC_RATE + _RANDOM_QUEUE_RATE:
        # Plain misrouting: a human put it in the wrong queue and nobody fixed it.
        return rng.choice([q for q in QUEUES if q != topic]), None
    return topic, None


def _priority_cues(
    rng: random.Random, pack: LanguagePack, priority: str
) -> tuple[str, list[str], bool]:
    """Return (subject prefix, cue sentences, shout) for a ticket of this priority."""
    if rng.random() > _CUE_RATE[priority]:
        return "", [], False
    cue = priority
    if rng.random() < _MISLEADING_CUE_RATE:
        # Customers over- and under-state urgency; shift the cue by one level.
        cue = "medium" if priority != "medium" else rng.choice(("low", "high"))
    prefixes = pack["priority_prefixes"][cue]
    sentences = pack["priority_sentences"][cue]
    prefix = rng.choice(prefixes) if prefixes and rng.random() < 0.45 else ""
    count = 1
    if cue == "high":
        count = rng.choice((0, 1, 1, 2)) if prefix else rng.choice((1, 1, 2))
    elif prefix:
        count = rng.choice((0, 1))
    chosen = rng.sample(sentences, count)
    shout = cue == "high" and rng.random() < 0.4
    return prefix, chosen, shout


def _compose_subject(
    rng: random.Random,
    pack: LanguagePack,
    topic: str,
    prefix: str,
    shout: bool,
    slots: Mapping[str, str],
) -> str:
    subject = rng.choice(pack["queues"][topic]["subjects"]).format_map(slots)
    if shout:
        subject = subject.rstrip("?") + rng.choice(("!", "!!", "!!!"))
    subject = prefix + subject
    if rng.random() < 0.07:
        subject = rng.choice(pack["reply_prefixes"]) + subject
    if rng.random() < 0.08:
        subject = subject.lower()
    return subject


def _compose_body(
    rng: random.Random,
    pack: LanguagePack,
    topic: str,
    side_topic: str | None,
    ticket_type: str,
    cue_sentences: list[str],
    shout: bool,
    channel: str,
    slots: Mapping[str, str],
    name: tuple[str, str],
) -> str:
    phrases = pack["queues"][topic]
    statement = rng.choice(phrases["statements"])
    if shout and statement.endswith("."):
        statement = statement[:-1] + rng.choice(("!", "!!"))
    if channel == "phone" and rng.random() < 0.7:
        statement = rng.choice(pack["phone_prefixes"]) + statement

    # Chat messages and a share of quick e-mails are terse: just the core sentence plus cues.
    terse = rng.random() < (0.5 if channel == "chat" else 0.1)
    middle: list[str] = [statement]
    if not terse:
        n_details = rng.choices((0, 1, 2), weights=(40, 40, 20))[0]
        middle.extend(rng.sample(phrases["details"], n_details))
        if rng.random() < 0.3:
            middle.append(rng.choice(pack["fillers"]))
    if side_topic is not None:
        side = rng.choice(pack["queues"][side_topic]["statements"])
        middle.insert(rng.randint(0, len(middle)), side)
    if rng.random() < _TYPE_CUE_RATE:
        cue_type = ticket_type
        if rng.random() < _MISLEADING_TYPE_RATE:
            cue_type = rng.choice([t for t in TYPES if t != ticket_type])
        middle.append(rng.choice(pack["type_sentences"][cue_type]))
    # Urgency is stated up front about a third of the time, otherwise at the end.
    if cue_sentences and rng.random() < 0.35:
        middle = cue_sentences + middle
    else:
        middle = middle + cue_sentences

    # Fill slots before typos and lowercasing so those also hit product names and codes.
    paragraph = " ".join(middle).format_map(slots)
    if rng.random() < 0.15:
        paragraph = _add_typo(rng, paragraph)
    if rng.random() < (0.25 if channel == "chat" else 0.05):
        paragraph = paragraph.lower()

    greeting_rate = 0.2 if terse else 0.85
    lines: list[str] = []
    if rng.random() < greeting_rate:
        lines.extend((rng.choice(pack["greetings"]), ""))
    lines.append(paragraph)
    if not terse and rng.random() < 0.8:
        first, last = name
        signature = rng.choice((first, f"{first} {last}", f"{first[0]}. {last}"))
        lines.extend(("", rng.choice(pack["closings"]), signature))
    return "\n".join(lines)


def _add_typo(rng: random.Random, text: str) -> str:
    """Swap two adjacent letters in one longer word, the most common real typo."""
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not candidates:
        return text
    index = rng.choice(candidates)
    word = words[index]
    pos = rng.randrange(1, len(word) - 2)
    words[index] = word[:pos] + word[pos + 1] + word[pos] + word[pos + 2 :]
    return " ".join(words)


def _draw_slots(rng: random.Random, language: str) -> dict[str, str]:
    product, product2 = rng.sample(PRODUCTS, 2)
    return {
        "product": product,
        "product2": product2,
        "order": f"ORD-{rng.randint(100000, 999999)}",
        "invoice": f"INV-2026-{rng.randint(10000, 99999)}",
        "amount": _amount(rng, language),
        "date": _date(rng, language),
        "os": rng.choice(OS_NAMES),
        "browser": rng.choice(BROWSERS),
        "app": rng.choice(APPS),
        "plan": rng.choice(PLANS),
        "error": _error_code(rng),
        "tracking": f"TRK{rng.randint(10**9, 10**10 - 1)}",
        "customer": f"C-{rng.randint(100000, 999999)}",
        "count": str(rng.choice((3, 5, 8, 10, 12, 15, 20, 25, 40, 50))),
    }


def _amount(rng: random.Random, language: str) -> str:
    value = rng.choice((9.99, 14.9, 19.0, 29.99, 49.9, 79.0, 119.0, 249.5)) * rng.choice((1, 1, 2))
    if language == "en":
        return rng.choice((f"€{value:.2f}", f"EUR {value:.2f}"))
    return f"{value:.2f}".replace(".", ",") + rng.choice((" €", " EUR"))


def _date(rng: random.Random, language: str) -> str:
    month = rng.choice((9, 10))
    day = rng.randint(1, 30)
    name = LANGUAGE_PACKS[language]["months"][month - 1]
    if language == "en":
        return rng.choice((f"{name} {day}", f"{day} {name}"))
    if language == "de":
        return rng.choice((f"{day}.{month}.", f"{day}. {name}"))
    if language == "es":
        return rng.choice((f"{day} de {name}", f"{day}/{month}"))
    return rng.choice((f"{day} {name}", f"{day}/{month:02d}"))


def _error_code(rng: random.Random) -> str:
    kind = rng.randrange(4)
    if kind == 0:
        return f"E-{rng.randint(1000, 9999)}"
    if kind == 1:
        return f"HTTP {rng.choice((401, 403, 500, 502, 503))}"
    if kind == 2:
        return f"0x{rng.randint(0, 0xFFFF):04X}"
    return rng.choice(ERROR_WORDS)


def _sender(rng: random.Random, first: str, last: str) -> str:
    first_ascii, last_ascii = _ascii(first), _ascii(last)
    local = rng.choice(
        (
            f"{first_ascii}.{last_ascii}",
            f"{first_ascii[0]}{last_ascii}",
            f"{first_ascii}{rng.randint(1, 99)}",
            f"{last_ascii}.{first_ascii[0]}",
        )
    )
    return f"{local}@{rng.choice(EMAIL_DOMAINS)}"


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return folded.lower()


def _weighted(rng: random.Random, options: Sequence[str], weights: Sequence[float]) -> str:
    return rng.choices(options, weights=weights)[0]
