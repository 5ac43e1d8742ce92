"""Benchmark: webhook delivery on PostgreSQL, to a receiver on 127.0.0.1.

- Latency from an event's commit to its receipt, with one `homeward worker` running
  (it listens for the outbox's NOTIFY): p50 and p95 over events committed one by one.
- Draining a backlog of 10,000 events with 1 and with 2 workers, as a share of the
  rate of a bare httpx loop posting the same signed bodies to the same receiver.

Run with `python -m tests.perf.bench_webhooks` (or through `make bench`);
`BENCH_WEBHOOK_EVENTS=2000` drains a smaller backlog.
"""

import contextlib
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from homeward import migrate
from homeward.db import make_engine
from homeward.partners.models import Partner
from homeward.settings import Settings
from homeward.webhooks.models import WebhookEndpoint
from homeward.webhooks.outbox import enqueue
from homeward.webhooks.signing import message_id, new_secret, signed_headers
from tests.webhooks.receiver import Receiver

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
BACKLOG = int(os.environ.get("BENCH_WEBHOOK_EVENTS", "10000"))
LATENCY_EVENTS = 200
LATENCY_GOAL_P95_MS = 1000.0
DRAIN_GOAL = 0.5
REPO_ROOT = Path(__file__).resolve().parents[2]


@contextlib.contextmanager
def bench_database() -> Iterator[str]:
    name = f"homeward_bench_webhooks_{secrets.token_hex(4)}"
    admin = create_engine(f"{SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{SERVER}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextlib.contextmanager
def workers(database_url: str, count: int) -> Iterator[None]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "HOMEWARD_ENVIRONMENT": "test",
        "HOMEWARD_LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "homeward.cli", "worker", "--webhooks-only"]
    started = [
        subprocess.Popen(command, env=env, cwd=REPO_ROOT, stdout=subprocess.DEVNULL)
        for _ in range(count)
    ]
    try:
        wait_until_listening(database_url, count)
        yield
    finally:
        for process in started:
            process.terminate()
            process.wait(10)


def wait_until_listening(database_url: str, count: int, timeout: float = 180.0) -> None:
    """Until `count` workers have started and LISTEN for the outbox."""
    engine = create_engine(database_url)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            with engine.connect() as connection:
                listening = connection.scalar(
                    text(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND query LIKE 'LISTEN %'"
                    )
                )
            if listening and listening >= count:
                return
            time.sleep(0.2)
        raise RuntimeError(f"{count} workers did not start within {timeout:.0f} s")
    finally:
        engine.dispose()


def new_partner(db: Session, url: str) -> uuid.UUID:
    partner = Partner(name=f"Bench {uuid.uuid4().hex[:8]}", contact_email="b@p.example")
    db.add(partner)
    db.flush()
    db.add(WebhookEndpoint(partner_id=partner.id, url=url, secret=new_secret()))
    db.commit()
    return partner.id


def announce(db: Session, partner_id: uuid.UUID, n: int) -> None:
    enqueue(
        db,
        partner_id=partner_id,
        event_type="transfer.received",
        data={"transfer_id": str(uuid.uuid4()), "n": n},
        patient_id=None,
        consent_scope=None,
    )


def measure_latency(database_url: str, receiver: Receiver) -> tuple[float, float]:
    engine = make_engine(Settings(database_url=database_url))
    committed: dict[int, float] = {}
    with Session(engine) as db, workers(database_url, 1):
        partner_id = new_partner(db, receiver.url)
        for n in range(LATENCY_EVENTS):
            announce(db, partner_id, n)
            db.commit()
            committed[n] = time.perf_counter()
            time.sleep(0.02)
        receiver.wait_for(LATENCY_EVENTS, timeout=60)
    engine.dispose()
    latencies = [
        (request.at - committed[json.loads(request.body)["data"]["n"]]) * 1000
        for request in receiver.received
    ]
    quantiles = statistics.quantiles(latencies, n=20)
    return statistics.median(latencies), quantiles[18]


def measure_drain(database_url: str, receiver: Receiver, count: int) -> float:
    """Seconds from the backlog's commit to its last receipt, with `count` workers."""
    engine = make_engine(Settings(database_url=database_url))
    with Session(engine) as db, workers(database_url, count):
        partner_id = new_partner(db, receiver.url)
        for n in range(BACKLOG):
            announce(db, partner_id, n)
        db.commit()
        started = time.perf_counter()
        if not receiver.wait_for(BACKLOG, timeout=600):
            raise RuntimeError(f"only {len(receiver.received)} of {BACKLOG} arrived")
        elapsed = receiver.received[-1].at - started
    engine.dispose()
    return elapsed


def measure_bare_loop(receiver: Receiver) -> float:
    """Seconds for one httpx client to post the same signed bodies, one after another."""
    secret = new_secret()
    bodies = [
        (message_id(uuid.uuid4().hex), f'{{"type":"transfer.received","data":{{"n":{n}}}}}')
        for n in range(BACKLOG)
    ]
    with httpx.Client(timeout=15, follow_redirects=False) as client:
        started = time.perf_counter()
        for msg_id, body in bodies:
            headers = signed_headers(secret, msg_id, datetime.now(UTC), body)
            client.post(receiver.url, content=body.encode(), headers=headers)
        return time.perf_counter() - started


def main() -> None:
    with bench_database() as database_url:
        migrate.upgrade(Settings(database_url=database_url))
        with Receiver() as receiver:
            p50, p95 = measure_latency(database_url, receiver)
        verdict = "meets" if p95 < LATENCY_GOAL_P95_MS else "misses"
        print(
            f"webhook latency, commit to receipt: p50 {p50:.0f} ms, p95 {p95:.0f} ms "
            f"(goal p95 < {LATENCY_GOAL_P95_MS:.0f} ms: {verdict})",
            flush=True,
        )
        with Receiver() as receiver:
            bare = measure_bare_loop(receiver)
        print(
            f"bare httpx loop: {BACKLOG} posts in {bare:.2f} s ({BACKLOG / bare:.0f}/s)", flush=True
        )
        for count in (1, 2):
            with Receiver() as receiver:
                drained = measure_drain(database_url, receiver, count)
            ratio = bare / drained
            verdict = "meets" if ratio >= DRAIN_GOAL else "misses"
            print(
                f"drain {BACKLOG} events, {count} worker{'s' if count > 1 else ''}: "
                f"{drained:.2f} s ({BACKLOG / drained:.0f}/s), {ratio:.0%} of the bare loop "
                f"(goal >= {DRAIN_GOAL:.0%}: {verdict})",
                flush=True,
            )


if __name__ == "__main__":
    main()
