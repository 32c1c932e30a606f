"""Redis Streams queue: one stream and one consumer group shared by any number of workers.

- publish: XADD each ticket id, in one MULTI.
- consume: first XAUTOCLAIM messages idle longer than `claim_idle_ms` (their consumer died or
  gave them back), then XREADGROUP new ones. A message's attempts are Redis's delivery count,
  so a message that kills its worker every time still reaches `max_attempts`.
- ack: XACK and XDEL together. The stream then holds only unacknowledged messages: XLEN is the
  backlog and the first entry's id is the publish time of the oldest unacknowledged message.
- nack/release: the message stays pending; XCLAIM sets its idle time so that it is reclaimed after
  `retry_delay_ms`, and its delivery count so that a release does not use up an attempt.
- dead letters: entries of "<stream>:dead", moved there in one MULTI with the XACK/XDEL.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

import redis
from redis.backoff import ExponentialBackoff
from redis.exceptions import ResponseError
from redis.retry import Retry

from autotriage.errors import InvalidInput, QueueUnavailable
from autotriage.queue.base import DeadLetter, Message

log = logging.getLogger(__name__)
T = TypeVar("T")
STREAM_ID = re.compile(r"^\d{1,20}-\d{1,20}$")
# Consumers of dead processes are removed once idle this long with nothing pending.
PRUNE_IDLE_MS = 3_600_000
PRUNE_EVERY_SECONDS = 600.0


class RedisStreamsQueue:
    def __init__(
        self,
        url: str,
        *,
        stream: str,
        group: str,
        claim_idle_ms: int = 60_000,
        retry_delay_ms: int = 5_000,
        retry_after: int = 5,
    ) -> None:
        self._redis = redis.Redis.from_url(
            url, decode_responses=True, socket_connect_timeout=2, socket_timeout=5,
            retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), 2),
        )
        kwargs = self._redis.connection_pool.connection_kwargs
        self.where = f"Redis at {kwargs.get('host', '?')}:{kwargs.get('port', '?')}"
        self.stream = stream
        self.dead_stream = f"{stream}:dead"
        self.group = group
        self.claim_idle_ms = claim_idle_ms
        self.retry_delay_ms = retry_delay_ms
        self.retry_after = retry_after
        self._group_ready = False
        self._owner: dict[str, str] = {}  # message id -> consumer, for give-backs
        self._consumers: set[str] = set()
        self._last_prune = time.monotonic()
        self._closed = False

    # --- plumbing -----------------------------------------------------------------------------

    @contextmanager
    def _talking(self, doing: str) -> Iterator[None]:
        try:
            yield
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            raise QueueUnavailable(
                f"the work queue ({self.where}) is unavailable while {doing} ({exc}); "
                "retry later", retry_after=self.retry_after,
            ) from exc

    def _grouped(self, call: Callable[[], T]) -> T:
        if not self._group_ready:
            try:
                # From id 0: messages published before the first worker started are consumed.
                self._redis.xgroup_create(self.stream, self.group, id="0", mkstream=True)
            except ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise
            self._group_ready = True
        try:
            return call()
        except ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
            # Redis restarted without its data: recreate the group; the sweeper re-publishes
            # whatever the database still shows as unfinished.
            log.warning("consumer group %s vanished from %s; recreating it", self.group, self.where)
            self._group_ready = False
            return self._grouped(call)

    # --- the WorkQueue interface ---------------------------------------------------------------

    def publish(self, ticket_ids: Sequence[int]) -> None:
        if not ticket_ids:
            return
        with self._talking("publishing tickets"):
            # MULTI: a batch is queued whole or not at all, and readers see it at once.
            pipe = self._redis.pipeline(transaction=True)
            for ticket_id in ticket_ids:
                pipe.xadd(self.stream, {"ticket_id": str(int(ticket_id))})
            pipe.execute()

    def consume(self, consumer: str, max_count: int, block_seconds: float) -> list[Message]:
        if self._closed:
            return []
        self._consumers.add(consumer)
        with self._talking("reading messages"):
            self._maybe_prune()
            claimed = self._grouped(lambda: self._reclaim(consumer, max_count))
            if claimed:
                return claimed
            # BLOCK 0 would wait forever; None does not wait at all.
            block = max(1, int(block_seconds * 1000)) if block_seconds > 0 else None
            reply: Any = self._grouped(lambda: self._redis.xreadgroup(
                self.group, consumer, {self.stream: ">"}, count=max_count, block=block))
            entries = [entry for _stream, batch in reply or [] for entry in batch]
            return self._messages(consumer, entries, {})

    def _reclaim(self, consumer: str, max_count: int) -> list[Message]:
        reply = self._redis.xautoclaim(self.stream, self.group, consumer, self.claim_idle_ms,
                                       "0-0", count=max_count)
        entries = [(mid, fields) for mid, fields in reply[1] if fields]
        gone = [mid for mid, fields in reply[1] if not fields]
        gone += list(reply[2]) if len(reply) > 2 else []
        if gone:  # pending entries whose message was deleted: nothing left to deliver
            self._redis.xack(self.stream, self.group, *gone)
        if not entries:
            return []
        pipe = self._redis.pipeline(transaction=False)
        for mid, _fields in entries:
            pipe.xpending_range(self.stream, self.group, mid, mid, 1)
        counts = {row[0]["message_id"]: int(row[0]["times_delivered"])
                  for row in pipe.execute() if row}
        log.info("%s reclaimed %d messages idle over %d ms", consumer, len(entries),
                 self.claim_idle_ms)
        return self._messages(consumer, entries, counts)

    def _messages(self, consumer: str, entries: list[tuple[str, dict[str, str]]],
                  counts: dict[str, int]) -> list[Message]:
        messages, malformed = [], []
        for mid, fields in entries:
            raw = fields.get("ticket_id", "")
            if not raw.isdigit():
                malformed.append(Message(mid, 0, counts.get(mid, 1)))
                continue
            self._owner[mid] = consumer
            messages.append(Message(mid, int(raw), counts.get(mid, 1)))
        if malformed:  # not ours to handle, never retried: keep it visible, out of the way
            self.dead_letter(malformed, "malformed message: no numeric ticket_id field")
        return messages

    def ack(self, messages: Sequence[Message]) -> None:
        if not messages:
            return
        ids = [m.id for m in messages]
        with self._talking("acknowledging messages"):
            pipe = self._redis.pipeline(transaction=True)
            pipe.xack(self.stream, self.group, *ids)
            pipe.xdel(self.stream, *ids)
            try:
                pipe.execute()
            except ResponseError as exc:
                if "NOGROUP" not in str(exc):  # the group (and the message) are gone already
                    raise
        for mid in ids:
            self._owner.pop(mid, None)

    def nack(self, messages: Sequence[Message]) -> None:
        self._give_back(messages, counted=True)

    def release(self, messages: Sequence[Message]) -> None:
        self._give_back(messages, counted=False)

    def _give_back(self, messages: Sequence[Message], *, counted: bool) -> None:
        if not messages:
            return
        idle = max(0, self.claim_idle_ms - self.retry_delay_ms)
        with self._talking("giving messages back"):
            pipe = self._redis.pipeline(transaction=False)
            for m in messages:
                # The next XAUTOCLAIM adds one delivery: a release must not use up an attempt.
                retries = m.attempts if counted else max(0, m.attempts - 1)
                owner = self._owner.pop(m.id, "returned")
                pipe.xclaim(self.stream, self.group, owner, 0, [m.id], idle=idle,
                            retrycount=retries, justid=True)
            pipe.execute(raise_on_error=False)

    def backlog(self) -> int:
        with self._talking("reading the backlog"):
            return int(self._redis.xlen(self.stream))

    def oldest_unacked(self) -> datetime | None:
        with self._talking("reading the oldest message"):
            first: Any = self._redis.xrange(self.stream, "-", "+", count=1)
        return _id_time(first[0][0]) if first else None

    # --- dead letters --------------------------------------------------------------------------

    def dead_letter(self, messages: Sequence[Message], reason: str) -> None:
        if not messages:
            return
        now = datetime.now(UTC).isoformat()
        ids = [m.id for m in messages]
        with self._talking("moving messages to the dead-letter stream"):
            pipe = self._redis.pipeline(transaction=True)
            for m in messages:
                pipe.xadd(self.dead_stream, {
                    "ticket_id": str(m.ticket_id), "attempts": str(m.attempts),
                    "reason": reason[:1000], "message_id": m.id, "failed_at": now,
                })
            pipe.xack(self.stream, self.group, *ids)
            pipe.xdel(self.stream, *ids)
            pipe.execute()
        for mid in ids:
            self._owner.pop(mid, None)

    def dead_letters(self, limit: int) -> list[DeadLetter]:
        with self._talking("listing dead letters"):
            entries: Any = self._redis.xrange(self.dead_stream, "-", "+", count=limit)
        return [_dead_letter(mid, fields) for mid, fields in entries]

    def dead_letter_count(self) -> int:
        with self._talking("counting dead letters"):
            return int(self._redis.xlen(self.dead_stream))

    def find_dead_letters(self, dead_letter_ids: Sequence[str]) -> list[DeadLetter]:
        bad = [i for i in dead_letter_ids if not STREAM_ID.match(i)]
        if bad:
            raise InvalidInput(f"not dead-letter ids: {bad[:5]}; use the ids the list shows")
        with self._talking("reading dead letters"):
            pipe = self._redis.pipeline(transaction=False)
            for letter_id in dead_letter_ids:
                pipe.xrange(self.dead_stream, letter_id, letter_id)
            return [_dead_letter(*rows[0]) for rows in pipe.execute() if rows]

    def redrive(self, dead_letter_ids: Sequence[str]) -> list[DeadLetter]:
        found = self.find_dead_letters(dead_letter_ids)
        if found:
            with self._talking("re-driving dead letters"):
                pipe = self._redis.pipeline(transaction=True)
                for letter in found:
                    pipe.xadd(self.stream, {"ticket_id": str(letter.ticket_id)})
                pipe.xdel(self.dead_stream, *[letter.id for letter in found])
                pipe.execute()
        return found

    # --- housekeeping --------------------------------------------------------------------------

    def _maybe_prune(self) -> None:
        """Remove consumers left behind by processes that died, once nothing is pending on them
        (a consumer that is still alive is simply recreated by its next read)."""
        if time.monotonic() - self._last_prune < PRUNE_EVERY_SECONDS:
            return
        self._last_prune = time.monotonic()
        try:
            consumers = self._redis.xinfo_consumers(self.stream, self.group)
        except ResponseError:
            return
        for info in consumers:
            if int(info["pending"]) == 0 and int(info["idle"]) > PRUNE_IDLE_MS:
                self._redis.xgroup_delconsumer(self.stream, self.group, info["name"])

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if not self._consumers:  # this process never consumed (the API)
            self._redis.close()
            return
        try:
            for info in self._redis.xinfo_consumers(self.stream, self.group):
                if info["name"] in self._consumers and int(info["pending"]) == 0:
                    self._redis.xgroup_delconsumer(self.stream, self.group, info["name"])
        except redis.RedisError as exc:
            log.info("could not remove this process's consumers: %s", exc)
        self._redis.close()


def _id_time(message_id: str) -> datetime:
    return datetime.fromtimestamp(int(message_id.split("-", 1)[0]) / 1000, UTC)


def _dead_letter(message_id: str, fields: dict[str, Any]) -> DeadLetter:
    failed_at = fields.get("failed_at")
    return DeadLetter(
        id=message_id,
        ticket_id=int(fields.get("ticket_id") or 0),
        attempts=int(fields.get("attempts") or 0),
        reason=str(fields.get("reason", "")),
        failed_at=datetime.fromisoformat(failed_at) if failed_at else _id_time(message_id),
    )
