"""The tapering benchmark's harness at toy sizes: `make bench` itself is not part of CI."""

import math
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from homeward import clock
from homeward.enrollments.models import Enrollment, EnrollmentStatus
from homeward.settings import Settings
from tests.perf import bench_tapering
from tests.perf.bench_tapering import PostgresDatabases, SqliteDatabases


def _active(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            count = select(func.count()).where(Enrollment.status == EnrollmentStatus.active)
            return int(connection.execute(count).scalar_one())
    finally:
        engine.dispose()


def _exists(url: str) -> bool:
    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///")).exists()
    server, name = url.rsplit("/", 1)
    engine = create_engine(f"{server}/postgres")
    try:
        with engine.connect() as connection:
            found = text("SELECT 1 FROM pg_database WHERE datname = :name")
            return connection.execute(found, {"name": name}).first() is not None
    finally:
        engine.dispose()


def test_each_size_is_sampled_on_its_own_copy(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A fixed day: what the toy clinics hold, and so which kinds of change an evaluation
    # writes (on this day, at both sizes: recommendations, extensions and audit events),
    # follows the date they are built on.
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 11, 26, 15, tzinfo=UTC))
    monkeypatch.setattr(bench_tapering, "RUNS", 2)
    monkeypatch.setattr(bench_tapering, "BASELINE_RUNS", 1)
    databases: SqliteDatabases | PostgresDatabases
    if settings.is_sqlite:
        name, databases = "sqlite", SqliteDatabases()
    else:
        # Beside the test database, on the same server.
        name, databases = "postgresql", PostgresDatabases(settings.database_url.rsplit("/", 1)[0])
    try:
        results = bench_tapering.bench(name, databases, (20, 40))
        # The database grown to 40, and the copy kept at 20.
        assert sorted(_active(url) for url in databases.urls) == [20, 40]
    finally:
        databases.close()
    assert not any(_exists(url) for url in databases.urls)

    assert [(each.database, each.size) for each in results] == [(name, 20), (name, 40)]
    small, large = results
    # A fixed number of statements, whatever the size.
    assert small.statements == large.statements > 0
    for each in results:
        # Every kind of sample was taken: none is left at its starting infinity.
        times = (each.seconds, each.baseline_seconds, each.repeat_seconds, each.next_day_seconds)
        assert all(math.isfinite(seconds) and seconds > 0 for seconds in times)
    bench_tapering.report(results)
    printed = capsys.readouterr().out
    assert f"Goal, growth 20 -> 40 on {name}:" in printed
