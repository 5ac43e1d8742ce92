"""Test setup: one migrated database per run, one rolled-back transaction per test.

`DATABASE_URL` picks the database (PostgreSQL in CI's second pass); without it a
fresh SQLite file is used.
"""

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from homeward import migrate
from homeward.db import make_engine
from homeward.main import create_app
from homeward.read_pool import LentPool
from homeward.settings import Settings
from tests.factories import Factories, StaffClient, login_as


def _database_url(tmp_dir: Path) -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_dir / 'test.db'}"


@pytest.fixture(scope="session")
def settings() -> Iterator[Settings]:
    with tempfile.TemporaryDirectory(prefix="homeward-test-") as tmp:
        yield Settings(
            environment="test",
            database_url=_database_url(Path(tmp)),
            log_level="WARNING",
            secret_key="test-secret",
            # Tests share one connection per test; they seal the chain themselves.
            audit_seal_seconds=0,
            # Long enough that a slow test never sees its login expire from the cache
            # midway (query counts would differ); the expiry is tested with a moved clock.
            login_trust_seconds=300,
            # Likewise for the revocation counter's reads; tested with a moved clock and on
            # real servers (tests/auth/test_revocation.py).
            login_revocation_check_seconds=300,
        )


@pytest.fixture(scope="session")
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings)
    migrate.upgrade(settings)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> Iterator[sessionmaker[Session]]:
    """Sessions that share one outer transaction, rolled back after the test."""
    connection = engine.connect()
    outer = connection.begin()
    factory = sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    yield factory
    outer.rollback()
    connection.close()


@pytest.fixture
def db(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as session:
        yield session


# Tests whose requests ran statements on the pooled path (PostgreSQL's; `read_pool`).
POOLED = {"tests": 0}


@pytest.fixture
def app(settings: Settings, session_factory: sessionmaker[Session]) -> Iterator[FastAPI]:
    app = create_app(settings, session_factory=session_factory)
    yield app
    pool = app.state.read_pool
    if isinstance(pool, LentPool) and pool.statements_run:
        POOLED["tests"] += 1


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    """An anonymous client."""
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def factories(db: Session) -> Factories:
    return Factories(db)


@pytest.fixture
def admin(app: FastAPI, factories: Factories) -> StaffClient:
    return login_as(app, factories, "admin")


@pytest.fixture
def clinician(app: FastAPI, factories: Factories) -> StaffClient:
    return login_as(app, factories, "clinician")


@pytest.fixture
def viewer(app: FastAPI, factories: Factories) -> StaffClient:
    return login_as(app, factories, "viewer")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    from tests.contract.test_extreme_values import SENT
    from tests.contract.test_schemathesis import GENERATED_CASES

    if GENERATED_CASES["count"]:
        terminalreporter.write_line(
            f"schemathesis: {GENERATED_CASES['count']} generated cases checked"
        )
    if POOLED["tests"]:
        terminalreporter.write_line(f"pooled path: run by {POOLED['tests']} tests")
    if SENT["count"]:
        terminalreporter.write_line(f"extreme values: {SENT['count']} requests sent")
