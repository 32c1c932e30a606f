"""E-mail to tickets: .eml files and mbox archives, parsed with the standard `email` package.

Subject, body (the text/plain part, else the HTML part as text), sender, date and the thread id
(the first Message-ID of References, else In-Reply-To, else the message's own Message-ID).
Attachments are ignored. The ticket's external_id is the Message-ID, so importing the same
mailbox twice stores each message once.
"""

from __future__ import annotations

import hashlib
import mailbox
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path

from autotriage.domain.intake import NewTicket
from autotriage.errors import DataError
from autotriage.integrations.text import html_to_text

_PARSER = BytesParser(policy=policy.default)
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")


@dataclass(frozen=True)
class ParsedMail:
    where: str  # file, or file#N for the N-th message (from 1) of an mbox
    ticket: NewTicket | None
    problem: str | None = None  # why the message cannot become a ticket


def read_messages(paths: list[Path]) -> Iterator[tuple[str, bytes]]:
    """(where, raw bytes) of every message in the given .eml files, mbox files and folders."""
    for path in paths:
        if not path.exists():
            raise DataError(f"{path}: no such file or folder")
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.suffix.lower() in (".eml", ".mbox"):
                    yield from read_messages([child])
        elif _is_mbox(path):
            box = mailbox.mbox(path, create=False)
            try:
                for number, key in enumerate(box.iterkeys(), start=1):
                    yield f"{path}#{number}", box.get_bytes(key)
            finally:
                box.close()
        else:
            yield str(path), path.read_bytes()


def _is_mbox(path: Path) -> bool:
    if path.suffix.lower() == ".mbox":
        return True
    with path.open("rb") as handle:
        return handle.read(5) == b"From "


def parse_message(where: str, raw: bytes, *, max_chars: int) -> ParsedMail:
    message = _PARSER.parsebytes(raw)
    assert isinstance(message, EmailMessage)
    subject = _header(message, "subject")
    body = _body(message)
    if not body.strip():
        reason = "it has no text/plain or text/html body (attachments only?)"
        return ParsedMail(where, None, f"{where}: {reason}; nothing to triage")
    message_id = _first_id(_header(message, "message-id"))
    metadata: dict[str, object] = {
        "message_id": message_id,
        "thread_id": _thread_id(message) or message_id,
        "in_reply_to": _first_id(_header(message, "in-reply-to")),
        "date": _date(message),
    }
    if len(body) > max_chars:
        # Long quoted threads are common; triage needs the newest text, which comes first.
        metadata["truncated_from_chars"] = len(body)
        body = body[:max_chars]
    external_id = message_id or "sha256:" + hashlib.sha256(raw).hexdigest()
    if len(external_id) > 200:
        external_id = "sha256:" + hashlib.sha256(external_id.encode()).hexdigest()
    ticket = NewTicket(subject=subject[:max_chars], body=body, sender=_sender(message),
                       channel="email", external_id=external_id,
                       metadata={k: v for k, v in metadata.items() if v})
    return ParsedMail(where, ticket)


def parse_all(paths: list[Path], *, max_chars: int) -> list[ParsedMail]:
    parsed = []
    for where, raw in read_messages(paths):
        try:
            parsed.append(parse_message(where, raw, max_chars=max_chars))
        except (ValueError, LookupError, TypeError) as exc:
            parsed.append(ParsedMail(where, None, f"{where}: cannot be parsed ({exc})"))
    return parsed


def _header(message: EmailMessage, name: str) -> str:
    value = message.get(name)
    return " ".join(str(value).split()) if value is not None else ""


def _first_id(value: str) -> str | None:
    match = _MESSAGE_ID.search(value)
    return match.group(0) if match else (value.strip() or None)


def _thread_id(message: EmailMessage) -> str | None:
    references = _MESSAGE_ID.findall(_header(message, "references"))
    if references:
        return references[0]
    return _first_id(_header(message, "in-reply-to"))


def _sender(message: EmailMessage) -> str | None:
    addresses = getaddresses([_header(message, "from")])
    for _name, address in addresses:
        if address:
            return address[:320]
    return None


def _date(message: EmailMessage) -> str | None:
    value = _header(message, "date")
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).isoformat()
    except (TypeError, ValueError):
        return None


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = _content(part)
    if part.get_content_subtype() == "html":
        text = html_to_text(text)
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _content(part: EmailMessage) -> str:
    try:
        content = part.get_content()
    except (LookupError, UnicodeDecodeError):
        # An unknown or wrong charset label: keep the text readable rather than drop the mail.
        payload = part.get_payload(decode=True)
        content = payload.decode("latin-1") if isinstance(payload, bytes) else str(payload)
    return content if isinstance(content, str) else content.decode("utf-8", "replace")
