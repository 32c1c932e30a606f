"""E-mail import on real-world-shaped messages: multipart, quoted-printable, base64, non-UTF-8
charsets, nested parts, attachments; .eml files, mbox archives and the CLI."""

from __future__ import annotations

import base64
import mailbox
import quopri
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from autotriage.cli import app
from autotriage.integrations.mail import parse_all, parse_message
from autotriage.storage.db import make_engine, make_session_factory
from autotriage.storage.tables import Ticket

runner = CliRunner()


def _outlook_reply() -> bytes:
    """multipart/mixed > multipart/alternative (QP windows-1252 text + HTML) + a PDF."""
    text = quopri.encodestring("Grüße,\nmy invoice is wrong – €120 instead of €100.\n"
                               .encode("cp1252")).decode()
    html = base64.b64encode(
        "<html><head><style>p{color:red}</style><script>track()</script></head><body>"
        "<p>Grüße,</p><p>my invoice is wrong &ndash; &euro;120 instead of &euro;100.</p>"
        "</body></html>".encode("cp1252")).decode()
    pdf = base64.b64encode(b"%PDF-1.4 invoice 2026-11 text that must not leak").decode()
    return f"""From: =?windows-1252?Q?J=FCrgen_M=FCller?= <juergen.mueller@example.de>
To: support@example.com
Subject: =?windows-1252?Q?Re:_Rechnung_f=FCr_November?=
Date: Thu, 20 Nov 2026 09:15:02 +0100
Message-ID: <CAF=reply-2@mail.example.de>
In-Reply-To: <CAF=first-1@mail.example.de>
References: <CAF=first-1@mail.example.de>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: multipart/alternative; boundary="inner"

--inner
Content-Type: text/plain; charset="windows-1252"
Content-Transfer-Encoding: quoted-printable

{text}
--inner
Content-Type: text/html; charset="windows-1252"
Content-Transfer-Encoding: base64

{html}
--inner--

--outer
Content-Type: application/pdf; name="invoice.pdf"
Content-Disposition: attachment; filename="invoice.pdf"
Content-Transfer-Encoding: base64

{pdf}
--outer--
""".replace("\n", "\r\n").encode("ascii")


def _html_only_shift_jis() -> bytes:
    html = "<div>注文番号 5521 の荷物が届きません。</div><div>確認してください。</div>"
    body = base64.b64encode(html.encode("shift_jis")).decode()
    return f"""From: "Sato Hanako" <hanako@example.jp>
To: support@example.com
Subject: =?ISO-2022-JP?B?GyRCMllKKiRLJEQkJCRGGyhC?=
Date: Fri, 21 Nov 2026 10:00:00 +0900
Message-ID: <jp-3@mail.example.jp>
MIME-Version: 1.0
Content-Type: text/html; charset="Shift_JIS"
Content-Transfer-Encoding: base64

{body}
""".encode("ascii")


def _latin1_plain(n: int) -> bytes:
    return (f"From: Ana <ana{n}@example.es>\nSubject: Devolución del pedido {n}\n"
            f"Date: Sat, 22 Nov 2026 11:00:00 +0000\nMessage-ID: <es-{n}@example.es>\n"
            "MIME-Version: 1.0\nContent-Type: text/plain; charset=ISO-8859-1\n"
            "Content-Transfer-Encoding: 8bit\n\n"
            f"Quiero la devolución del pedido {n}, llegó dañado.\n").encode("latin-1")


def _attachment_only() -> bytes:
    return b"""From: scanner@example.com
Subject: Scan
Message-ID: <scan-9@example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b"

--b
Content-Type: image/png
Content-Disposition: attachment; filename="scan.png"
Content-Transfer-Encoding: base64

iVBORw0KGgo=
--b--
"""


def test_multipart_quoted_printable_windows_1252_with_attachment() -> None:
    parsed = parse_message("reply.eml", _outlook_reply(), max_chars=20_000)
    ticket = parsed.ticket
    assert ticket is not None and parsed.problem is None
    assert ticket.subject == "Re: Rechnung für November"
    assert ticket.body == "Grüße,\nmy invoice is wrong – €120 instead of €100."
    assert ticket.sender == "juergen.mueller@example.de"
    assert ticket.channel == "email" and ticket.external_id == "<CAF=reply-2@mail.example.de>"
    assert ticket.metadata == {
        "message_id": "<CAF=reply-2@mail.example.de>",
        "thread_id": "<CAF=first-1@mail.example.de>",
        "in_reply_to": "<CAF=first-1@mail.example.de>",
        "date": "2026-11-20T09:15:02+01:00",
    }


def test_html_only_shift_jis_and_iso_2022_jp_subject() -> None:
    ticket = parse_message("jp.eml", _html_only_shift_jis(), max_chars=20_000).ticket
    assert ticket is not None
    assert ticket.subject == "荷物について"
    assert ticket.body == "注文番号 5521 の荷物が届きません。\n確認してください。"
    assert ticket.metadata is not None and ticket.metadata["thread_id"] == "<jp-3@mail.example.jp>"


def test_html_part_is_used_when_there_is_no_text_part_and_scripts_are_dropped() -> None:
    raw = _outlook_reply().replace(b"text/plain", b"text/x-other")
    ticket = parse_message("r.eml", raw, max_chars=20_000).ticket
    assert ticket is not None
    assert ticket.body == "Grüße,\nmy invoice is wrong – €120 instead of €100."
    assert "track" not in ticket.body and "color" not in ticket.body


def test_attachment_only_messages_and_long_bodies() -> None:
    parsed = parse_message("scan.eml", _attachment_only(), max_chars=20_000)
    assert parsed.ticket is None and parsed.problem is not None
    assert "no text/plain or text/html body" in parsed.problem
    long = parse_message("es.eml", _latin1_plain(1), max_chars=20)
    assert long.ticket is not None and len(long.ticket.body) == 20
    assert long.ticket.metadata is not None and long.ticket.metadata["truncated_from_chars"] > 20


def _write_inbox(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "eml").mkdir()
    (tmp_path / "eml" / "reply.eml").write_bytes(_outlook_reply())
    (tmp_path / "eml" / "jp.eml").write_bytes(_html_only_shift_jis())
    box_path = tmp_path / "support.mbox"
    box = mailbox.mbox(box_path)
    for n in range(3):
        box.add(_latin1_plain(n))
    box.add(_attachment_only())
    box.flush()
    box.close()
    return tmp_path / "eml", box_path


def test_mbox_archives_and_folders_are_read_with_positions(tmp_path: Path) -> None:
    folder, box = _write_inbox(tmp_path)
    parsed = parse_all([folder, box], max_chars=20_000)
    assert [p.where.rsplit("/", 1)[-1] for p in parsed] == [
        "jp.eml", "reply.eml", "support.mbox#1", "support.mbox#2", "support.mbox#3",
        "support.mbox#4"]
    es = parsed[3].ticket
    assert es is not None and es.body == "Quiero la devolución del pedido 1, llegó dañado."
    assert parsed[5].ticket is None and "support.mbox#4" in (parsed[5].problem or "")


def test_cli_import_email_is_strict_then_idempotent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUTOTRIAGE_DATA_DIR", str(tmp_path / "data"))
    folder, box = _write_inbox(tmp_path)
    strict = runner.invoke(app, ["import-email", str(folder), str(box)])
    assert strict.exit_code == 2
    assert "support.mbox#4" in strict.output and "nothing was imported" in strict.output

    result = runner.invoke(app, ["import-email", "--no-strict", str(folder), str(box)])
    assert result.exit_code == 0, result.output
    assert "6 message(s): 5 new ticket(s), 0 already imported, 1 skipped" in result.output
    again = runner.invoke(app, ["import-email", "--no-strict", str(box)])
    assert "0 new ticket(s), 3 already imported" in again.output

    engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'autotriage.db'}")
    with make_session_factory(engine)() as session:
        tickets = list(session.scalars(select(Ticket).order_by(Ticket.id)))
    engine.dispose()
    assert len(tickets) == 5
    assert {t.channel for t in tickets} == {"email"} and {t.status for t in tickets} == {
        "received"}
    assert tickets[0].external_id == "<jp-3@mail.example.jp>"
