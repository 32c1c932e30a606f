"""Bulk import of historical tickets (with optional labels) and export of tickets, predictions
and labels, as CSV, JSONL or Parquet.

An import reads the file twice, streaming: the first pass checks every row and reports the bad
ones with their line numbers, the second imports. "Nothing half-imported" means: no ticket is
ever stored without its labels (a ticket and its labels share a transaction); with `strict`
(the default) a file with any bad row imports nothing at all; without it, every valid row is
imported and every bad row is reported. A run commits in chunks, each with its checkpoint, and
a re-run of the same file with the same options resumes after the last committed chunk (rows
are also idempotent by external_id, so even a lost checkpoint cannot duplicate a ticket).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy.orm import Session

from autotriage.domain import intake
from autotriage.errors import AutotriageError, DataError
from autotriage.storage import repository
from autotriage.storage.tables import LabelSource

TICKET_FIELDS = ("subject", "body", "sender", "channel", "external_id")
FORMATS = (".csv", ".csv.gz", ".jsonl", ".parquet")


@dataclass(frozen=True)
class ImportOptions:
    columns: Mapping[str, str]  # ticket field -> column of the file
    labels: Mapping[str, str]  # label field -> column of the file
    strict: bool = True
    actor: str | None = None

    def describe(self) -> str:
        return json.dumps({"columns": dict(self.columns), "labels": dict(self.labels)},
                          sort_keys=True)


@dataclass(frozen=True)
class ImportRow:
    position: int  # 1-based index of the data row in the file: the resume checkpoint
    line: str  # "line 7" (CSV/JSONL, as an editor counts) or "row 7" (Parquet)
    ticket: intake.NewTicket
    labels: dict[str, str]


@dataclass
class Check:
    rows: int = 0
    bad: list[str] = field(default_factory=list)


def file_format(path: Path) -> str:
    name = path.name.lower()
    for suffix in FORMATS:
        if name.endswith(suffix):
            return suffix
    raise DataError(f"{path}: unknown file type; use one of {', '.join(FORMATS)}")


def fingerprint(path: Path, options: ImportOptions) -> str:
    digest = hashlib.sha256(options.describe().encode())
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return "sha256:" + digest.hexdigest()


# --- reading: (position, where, record or problem) in file order ---

Record = tuple[int, str, dict[str, Any] | None, str | None]


def read_records(path: Path) -> Iterator[Record]:
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    kind = file_format(path)
    if kind == ".parquet":
        yield from _parquet_records(path)
        return
    opener = gzip.open if kind == ".csv.gz" else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:  # type: ignore[operator]
        yield from (_jsonl_records(handle) if kind == ".jsonl" else _csv_records(handle, path))


def _csv_records(handle: IO[str], path: Path) -> Iterator[Record]:
    reader = csv.reader(handle)
    try:
        header = next(reader)
    except StopIteration:
        raise DataError(f"{path}: is empty; it needs a header line") from None
    except csv.Error as exc:
        raise DataError(f"{path}: line 1 cannot be read as CSV ({exc})") from exc
    position, last_line = 0, reader.line_num
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            position += 1
            yield position, f"line {last_line + 1}", None, f"not valid CSV ({exc})"
            last_line = reader.line_num
            continue
        where = f"line {last_line + 1}"  # a quoted field may span lines; report where it starts
        last_line = reader.line_num
        if not values:
            continue
        position += 1
        if len(values) != len(header):
            yield position, where, None, f"has {len(values)} fields, the header has {len(header)}"
        else:
            yield position, where, dict(zip(header, values, strict=True)), None


def _jsonl_records(handle: IO[str]) -> Iterator[Record]:
    position = 0
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        position += 1
        try:
            record = json.loads(line)
        except ValueError as exc:
            yield position, f"line {number}", None, f"not valid JSON ({exc})"
            continue
        if not isinstance(record, dict):
            yield position, f"line {number}", None, "is not a JSON object"
        else:
            yield position, f"line {number}", record, None


def _parquet_records(path: Path) -> Iterator[Record]:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for a bad file
        raise DataError(f"{path}: cannot be read as Parquet ({exc})") from exc
    position = 0
    for batch in parquet.iter_batches(batch_size=10_000):
        for record in batch.to_pylist():
            position += 1
            yield position, f"row {position}", record, None


# --- checking rows ---


def _value(record: Mapping[str, Any], column: str | None) -> str:
    if column is None:
        return ""
    value = record.get(column)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return value if isinstance(value, str) else str(value)


def check_columns(path: Path, options: ImportOptions, label_fields: Sequence[str]) -> None:
    unknown = sorted(set(options.labels) - set(label_fields))
    if unknown:
        raise DataError(
            f"label field(s) {unknown} are not configured label fields {list(label_fields)}; "
            "fix --labels or AUTOTRIAGE_LABEL_FIELDS"
        )
    for _position, _where, record, _problem in read_records(path):
        if record is None:
            continue
        wanted = [*options.columns.values(), *options.labels.values()]
        missing = [c for c in wanted if c not in record]
        if missing:
            raise DataError(
                f"{path}: missing column(s) {missing}; the file has {list(record)}. "
                "Map the right ones with --columns / --labels"
            )
        return


def to_row(position: int, where: str, record: Mapping[str, Any], options: ImportOptions,
           source: str, max_chars: int) -> ImportRow:
    """The row as a ticket and its labels; AutotriageError saying what is wrong with it."""
    values = {name: _value(record, options.columns.get(name)) for name in TICKET_FIELDS}
    for name, limit in (("external_id", 200), ("sender", 320), ("channel", 50)):
        if len(values[name]) > limit:
            raise DataError(f"{name} has {len(values[name])} characters, more than {limit}")
    external_id = values["external_id"].strip() or _row_key(values)
    ticket = intake.NewTicket(
        subject=values["subject"], body=values["body"], sender=values["sender"] or None,
        channel=values["channel"] or "import", external_id=external_id,
        metadata={"import": {"file": source, "where": where}},
    )
    intake.check_ticket(ticket, max_chars, where="row")
    labels = {f: _value(record, column).strip() for f, column in options.labels.items()}
    too_long = [f for f, v in labels.items() if len(v) > 200]
    if too_long:
        raise DataError(f"label(s) {too_long} longer than 200 characters")
    return ImportRow(position, where, ticket, {f: v for f, v in labels.items() if v})


def _row_key(values: Mapping[str, str]) -> str:
    # Rows without an id are keyed by their content, so a re-run finds them again.
    text = "\x00".join(values[n] for n in ("subject", "body", "sender"))
    return "import:" + hashlib.sha256(text.encode()).hexdigest()[:40]


def check_file(path: Path, options: ImportOptions, max_chars: int) -> Check:
    """Pass one: count the rows and describe every bad one."""
    check = Check()
    for position, where, record, problem in read_records(path):
        check.rows += 1
        if problem is None and record is not None:
            try:
                to_row(position, where, record, options, path.name, max_chars)
            except AutotriageError as exc:
                problem = exc.message.removeprefix("row: ")
        if problem is not None:
            check.bad.append(f"{where}: {problem}")
    return check


def valid_rows(path: Path, options: ImportOptions, max_chars: int,
               after: int = 0) -> Iterator[ImportRow]:
    """Pass two: the good rows after checkpoint `after` (bad ones were reported in pass one)."""
    for position, where, record, problem in read_records(path):
        if position <= after or problem is not None or record is None:
            continue
        try:
            yield to_row(position, where, record, options, path.name, max_chars)
        except AutotriageError:
            continue


def import_chunk(
    session: Session, rows: Sequence[ImportRow], options: ImportOptions, max_chars: int
) -> tuple[list[int], int]:
    """Store a chunk's new tickets and their labels (import source); the caller commits.
    Returns the new ticket ids and the number of labels written."""
    accepted = intake.submit(session, [r.ticket for r in rows], max_chars=max_chars)
    labels = [
        {"ticket_id": a.id, "field": name, "value": value, "source": LabelSource.IMPORT,
         "actor": options.actor}
        for a, row in zip(accepted, rows, strict=True) if a.created
        for name, value in row.labels.items()
    ]
    repository.add_labels(session, labels)
    return [a.id for a in accepted if a.created], len(labels)


# --- export ---


def write_export(pages: Iterator[list[dict[str, Any]]], path: Path, columns: Sequence[str]) -> int:
    kind = file_format(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == ".parquet":
        return _write_parquet(pages, path, columns)
    opener = gzip.open if kind == ".csv.gz" else open
    written = 0
    with opener(path, "wt", encoding="utf-8", newline="") as handle:  # type: ignore[operator]
        writer = csv.DictWriter(handle, fieldnames=list(columns)) if kind != ".jsonl" else None
        if writer is not None:
            writer.writeheader()
        for page in pages:
            for row in page:
                plain = {k: _plain(row[k]) for k in columns}
                if writer is not None:
                    writer.writerow(plain)
                else:
                    handle.write(json.dumps(plain, ensure_ascii=False) + "\n")
            written += len(page)
    return written


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _write_parquet(pages: Iterator[list[dict[str, Any]]], path: Path,
                   columns: Sequence[str]) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(c, EXPORT_TYPES.get(c, pa.string())) for c in columns])
    written = 0
    with pq.ParquetWriter(path, schema) as writer:
        for page in pages:
            writer.write_table(pa.Table.from_pylist([{c: r[c] for c in columns} for r in page],
                                                    schema=schema))
            written += len(page)
    return written


def _export_types() -> dict[str, Any]:
    import pyarrow as pa

    stamp = pa.timestamp("us", tz="UTC")
    return {"id": pa.int64(), "ticket_id": pa.int64(), "prediction_id": pa.int64(),
            "confidence": pa.float64(), "created_at": stamp, "classified_at": stamp}


EXPORT_TYPES = _export_types()
EXPORT_COLUMNS = {
    "tickets": ("id", "external_id", "subject", "body", "sender", "channel", "language",
                "status", "decision", "model_version", "created_at", "classified_at"),
    "predictions": ("ticket_id", "external_id", "prediction_id", "model_version", "decision",
                    "field", "label", "confidence", "field_decision", "created_at"),
    "labels": ("ticket_id", "external_id", "field", "value", "source", "actor", "created_at"),
}
