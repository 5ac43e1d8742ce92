"""The audit trail's hash chain: linking events in order, and checking that none was altered.

Requests only insert their events. Linking them (`seal_chain`) is a separate step,
taken by the server's background sealer about once a second, by the worker, and
before the trail is listed or verified. Linking at every commit would make each
request queue on one chain lock and read the chain's tail: its biggest cost.

Event ids are time-ordered (UUIDv7 layout, with a counter within the millisecond),
so events are linked in the order they were recorded.
"""

import hashlib
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

import orjson
from sqlalchemy import Row, Table, bindparam, select, text, update
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from homeward.audit.models import AuditEvent

logger = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64
# How many events one sealing transaction links. It holds the write lock (on SQLite,
# every writer's) while it runs, so a backlog is linked a batch at a time, and the
# requests waiting for the lock get their turns in between.
SEAL_BATCH = 100
# Any constant: serializes sealers on PostgreSQL (SQLite's BEGIN IMMEDIATE already does).
_CHAIN_LOCK_KEY = 7_204_511

_id_lock = threading.Lock()
_last_millisecond = 0
_counter = 0


def new_event_id() -> uuid.UUID:
    """A UUIDv7: 48 bits of Unix milliseconds, then a 12-bit counter, then random bits."""
    global _last_millisecond, _counter
    with _id_lock:
        millisecond = time.time_ns() // 1_000_000
        if millisecond > _last_millisecond:
            _last_millisecond, _counter = millisecond, 0
        else:
            _counter += 1
            if _counter > 0xFFF:  # more than 4,096 in one millisecond: borrow the next one
                _last_millisecond, _counter = _last_millisecond + 1, 0
        millisecond, counter = _last_millisecond, _counter
    random_bits = int.from_bytes(os.urandom(8)) & 0x3FFF_FFFF_FFFF_FFFF
    value = (millisecond << 80) | (0x7 << 76) | (counter << 64) | (0b10 << 62) | random_bits
    return uuid.UUID(int=value)


def _payload(event: AuditEvent | Row[Any]) -> dict[str, object]:
    """What the hash covers: every column but the hash itself.

    `patient_ids` and `resource_ids` only where set: events linked before they existed
    keep their hash.
    """
    payload: dict[str, object] = {
        "id": str(event.id),
        "seq": event.seq,
        "occurred_at": event.occurred_at.isoformat(),
        "actor_type": event.actor_type,
        "actor_id": str(event.actor_id) if event.actor_id else None,
        "action": event.action,
        "resource_type": event.resource_type,
        "resource_id": event.resource_id,
        "patient_id": str(event.patient_id) if event.patient_id else None,
        "outcome": event.outcome,
        "ip": event.ip,
        "request_id": event.request_id,
        "detail": event.detail,
        "prev_hash": event.prev_hash,
    }
    if event.patient_ids is not None:
        payload["patient_ids"] = event.patient_ids
    if event.resource_ids is not None:
        payload["resource_ids"] = event.resource_ids
    return payload


def canonical_json(payload: dict[str, object]) -> bytes:
    """What the hash covers: `json.dumps(payload, sort_keys=True, separators=(",", ":"),
    default=str)`, encoded.

    orjson writes the same bytes several times faster for what events hold: text in
    printable ASCII (json.dumps escapes everything else, DEL included; orjson writes
    it as it is), integers, null, lists and objects. Anything else takes the standard
    library's path: floats (the two write some differently), and values `default=str`
    would turn into text (orjson writes a datetime its own way).
    """
    if _text_and_integers(payload):
        try:
            fast = orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)
        except TypeError:  # a key that is not text, an integer beyond 64 bits, ...
            pass
        else:
            if fast.isascii() and b"\x7f" not in fast:
                return fast
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()


_PLAIN = frozenset({str, int, type(None)})


def _text_and_integers(value: object) -> bool:
    if value is None or isinstance(value, str | int):  # bool is an int
        return True
    if isinstance(value, dict):
        return all(isinstance(key, str) and _text_and_integers(v) for key, v in value.items())
    if isinstance(value, list | tuple):
        # A list's ids are all text: told at once, not a call per id.
        return set(map(type, value)) <= _PLAIN or all(map(_text_and_integers, value))
    return False


def _hash(payload: dict[str, object]) -> str:
    return hashlib.sha256(canonical_json(payload)).hexdigest()


def _digest(event: AuditEvent) -> str:
    return _hash(_payload(event))


def seal_chain(db: Session, limit: int | None = None) -> int:
    """Link the committed (and this transaction's own) unlinked events, oldest first, at
    most `limit` of them; returns how many.

    Holds the chain lock until the caller's transaction ends, so sealers never fork it.
    """
    db.flush()
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK_KEY})
    table = cast(Table, AuditEvent.__table__)
    # Plain rows, not ORM objects: a busy second can leave hundreds to link.
    unlinked = db.execute(
        select(table).where(table.c.seq.is_(None)).order_by(table.c.id).limit(limit)
    ).all()
    if not unlinked:
        return 0
    last = db.execute(
        select(table.c.seq, table.c.hash)
        .where(table.c.seq.is_not(None))
        .order_by(table.c.seq.desc())
        .limit(1)
    ).first()
    seq, prev_hash = (last.seq, last.hash) if last else (0, GENESIS_HASH)
    links = []
    for event in unlinked:
        seq += 1
        link = {"seq": seq, "prev_hash": prev_hash}
        link["hash"] = _hash(_payload(event) | link)
        links.append({"b_id": event.id, "b_seq": seq, "b_prev": prev_hash, "b_hash": link["hash"]})
        prev_hash = link["hash"]
        loaded = db.identity_map.get(identity_key(AuditEvent, event.id))
        for column, value in link.items():
            if loaded is not None:  # an event this session holds learns its link too
                set_committed_value(loaded, column, value)
    _write_links(db, table, links)
    return len(links)


# On PostgreSQL every link goes in one statement, as one JSON text: an executemany costs
# the driver a round of Python work per row, and the sealer runs beside every request.
_LINK_FROM_JSON = text(
    """
    UPDATE audit_events SET seq = link.b_seq, prev_hash = link.b_prev, hash = link.b_hash
    FROM json_to_recordset(CAST(:links AS json))
         AS link (b_id uuid, b_seq bigint, b_prev varchar, b_hash varchar)
    WHERE audit_events.id = link.b_id
    """
)


def _write_links(db: Session, table: Table, links: list[dict[str, Any]]) -> None:
    if db.get_bind().dialect.name == "postgresql":
        db.execute(_LINK_FROM_JSON, {"links": orjson.dumps(links).decode()})
        return
    db.execute(
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values(seq=bindparam("b_seq"), prev_hash=bindparam("b_prev"), hash=bindparam("b_hash")),
        links,
    )


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


def verify_chain(db: Session, batch_size: int = 5000) -> Iterator[ChainBreak]:
    """Recompute the chain; yields each row that was edited, or follows a deleted one."""
    seal_chain(db)
    expected_prev: str | None = GENESIS_HASH
    expected_seq = 1
    rows = db.execute(
        select(AuditEvent)
        .where(AuditEvent.seq.is_not(None))
        .order_by(AuditEvent.seq)
        .execution_options(yield_per=batch_size)
    )
    for row in rows.scalars():
        assert row.seq is not None
        if row.seq != expected_seq:
            yield ChainBreak(row.seq, f"rows {expected_seq}..{row.seq - 1} are missing")
        elif row.prev_hash != expected_prev:
            yield ChainBreak(row.seq, "the previous row was changed or removed")
        if _digest(row) != row.hash:
            yield ChainBreak(row.seq, "this row was edited")
        expected_prev, expected_seq = row.hash, row.seq + 1


class ChainSealer:
    """Links new events about every `interval` seconds, in a thread of the server process."""

    def __init__(self, session_factory: sessionmaker[Session], interval: float) -> None:
        self._session_factory = session_factory
        self._interval = interval
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="audit-chain-sealer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join()
        self.seal_once()  # what the last requests recorded

    def seal_once(self) -> int:
        """Links everything not linked yet, `SEAL_BATCH` events to a transaction."""
        sealed = 0
        while True:
            batch = self._seal_batch()
            sealed += batch
            if batch < SEAL_BATCH:
                return sealed

    def _seal_batch(self) -> int:
        with self._session_factory() as db:
            # A cheap look first: an idle server should not take the write lock every second.
            if db.scalar(select(AuditEvent.id).where(AuditEvent.seq.is_(None)).limit(1)) is None:
                db.rollback()
                return 0
            sealed = seal_chain(db, limit=SEAL_BATCH)
            db.commit()
            return sealed

    def _run(self) -> None:
        while not self._stopping.wait(self._interval):
            try:
                self.seal_once()
            except Exception:  # a busy or restarting database: try again next round
                logger.exception("sealing the audit chain failed; retrying")
