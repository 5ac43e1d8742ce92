"""The server killed (`kill -9`) while partners send transfers: nothing lost, nothing twice.

The API runs as a process of its own on PostgreSQL. Twenty threads send 500 transfers,
each with its own Idempotency-Key, and retry with the same key on any error (a dropped
connection, a refused one while the server is down, a 409 while the first attempt is
still in flight, a 5xx). Midway the server is killed without warning and started again
on the same port. Every transfer that was answered 201 must exist exactly once, and no
transfer may exist twice, whichever attempt's transaction committed.
"""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from homeward.audit.service import Actor
from homeward.db import make_engine, make_session_factory
from homeward.partners import service as partners_service
from homeward.partners.models import Partner
from homeward.partners.schemas import ApiKeyCreate
from homeward.settings import REPO_ROOT, Settings
from homeward.transfers.models import Transfer
from tests.auth.served import own_database
from tests.transfers.helpers import transfer_body

TRANSFERS = 500
THREADS = 20
KILL_AFTER = TRANSFERS // 3  # answered transfers before the kill
DEADLINE_SECONDS = 50


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@dataclass
class ApiProcess:
    """One uvicorn process of the app on a fixed port; started again on the same port."""

    settings: Settings
    log: Path
    port: int = field(default_factory=_free_port)
    process: "subprocess.Popen[bytes] | None" = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": self.settings.database_url,
            "HOMEWARD_ENVIRONMENT": "test",
            "HOMEWARD_SECRET_KEY": self.settings.secret_key,
            "HOMEWARD_LOG_LEVEL": "WARNING",
        }
        command = [sys.executable, "-m", "uvicorn", "homeward.main:create_app", "--factory"]
        command += ["--host", "127.0.0.1", "--port", str(self.port), "--no-access-log"]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, env=env, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT
            )
        self.starts += 1
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("the API did not start")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no rollback sent, connections cut mid-request."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


@dataclass
class Tally:
    """What the senders saw, shared by the threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    answered: dict[str, str] = field(default_factory=dict)  # key -> transfer id
    outcomes: Counter[str] = field(default_factory=Counter)
    first_answer_by: dict[str, str] = field(default_factory=dict)

    def note(self, outcome: str) -> None:
        with self.lock:
            self.outcomes[outcome] += 1

    def done(self, key: str, transfer_id: str, replayed: bool) -> None:
        with self.lock:
            assert key not in self.answered
            self.answered[key] = transfer_id
            self.outcomes["201 replayed" if replayed else "201 created"] += 1


@pytest.fixture
def served(settings: Settings, tmp_path: Path) -> Iterator[tuple[ApiProcess, str, Settings]]:
    if settings.is_sqlite:
        pytest.skip("the crash test runs the API on PostgreSQL")
    with own_database(settings) as own:
        engine = make_engine(own)
        with make_session_factory(engine)() as db:
            partner = Partner(name="Crash Test Residential", contact_email="c@partner.example")
            db.add(partner)
            db.flush()
            key = partners_service.create_api_key(db, Actor.system(), partner.id, ApiKeyCreate())
            db.commit()
        engine.dispose()
        api = ApiProcess(own, tmp_path / "api.log")
        api.start()
        try:
            yield api, key.key, own
        finally:
            api.stop()


def _send(api: ApiProcess, api_key: str, key: str, body: dict[str, Any], tally: Tally) -> None:
    """POST until a 201 (or the deadline), always with the same key and body."""
    headers = {"Authorization": f"Bearer {api_key}", "Idempotency-Key": key}
    deadline = time.monotonic() + DEADLINE_SECONDS
    with httpx.Client(base_url=api.url, headers=headers, timeout=10) as client:
        while time.monotonic() < deadline:
            try:
                response = client.post("/api/v1/partner/transfers", json=body)
            except httpx.HTTPError as error:
                tally.note(f"error {type(error).__name__}")
                time.sleep(0.05)
                continue
            if response.status_code == 201:
                replayed = response.headers.get("idempotent-replayed") == "true"
                tally.done(key, response.json()["id"], replayed)
                return
            tally.note(str(response.status_code))
            # 409 in flight, 429, 503: the server says when; anything else, a moment.
            time.sleep(min(float(response.headers.get("retry-after", "0.05")), 1.0))


def _killer(api: ApiProcess, tally: Tally, killed: threading.Event) -> None:
    """Kills the server once a third of the transfers are answered, then starts it again."""
    while len(tally.answered) < KILL_AFTER:
        time.sleep(0.005)
    api.kill()
    killed.set()
    down = time.monotonic()
    time.sleep(0.5)  # a moment with the port closed: senders see refused connections
    api.start()
    tally.note(f"down for {time.monotonic() - down:.1f} s")


def test_a_killed_server_loses_no_transfer_and_makes_none_twice(
    served: tuple[ApiProcess, str, Settings],
) -> None:
    api, api_key, own = served
    started = time.monotonic()
    tally = Tally()
    killed = threading.Event()
    work = [(str(uuid.uuid4()), transfer_body()) for _ in range(TRANSFERS)]
    killer = threading.Thread(target=_killer, args=(api, tally, killed), daemon=True)
    killer.start()
    with ThreadPoolExecutor(THREADS) as pool:
        for future in [pool.submit(_send, api, api_key, k, b, tally) for k, b in work]:
            future.result()
    killer.join(timeout=40)
    elapsed = time.monotonic() - started

    engine = make_engine(own)
    with Session(engine) as db:
        stored = db.execute(select(Transfer.id, Transfer.resident_reference)).all()
        per_resident = Counter(reference for _, reference in stored)
        total = db.scalar(select(func.count()).select_from(Transfer))
    engine.dispose()
    ids = Counter(str(transfer_id) for transfer_id, _ in stored)
    print(
        f"\ncrash test: {TRANSFERS} transfers from {THREADS} threads, server killed after "
        f"{KILL_AFTER} answers and started again ({api.starts} starts), {elapsed:.1f} s\n"
        f"  answered 201: {len(tally.answered)}; transfers stored: {total}; "
        f"duplicates: {sum(n - 1 for n in per_resident.values())}\n"
        f"  responses and errors seen: {dict(sorted(tally.outcomes.items()))}"
    )
    assert killed.is_set() and api.starts == 2
    assert len(tally.answered) == TRANSFERS, "some transfers were never answered"
    # Each answer names a stored transfer, and no two keys were answered with one transfer.
    assert all(ids[transfer_id] == 1 for transfer_id in tally.answered.values())
    assert len(set(tally.answered.values())) == TRANSFERS
    # Nothing stored twice, nothing stored that nobody was told of.
    assert total == TRANSFERS and max(per_resident.values()) == 1
    references = {body["resident"]["partner_resident_id"] for _, body in work}
    assert set(per_resident) == references
