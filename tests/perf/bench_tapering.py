"""Benchmark: evaluating tapering rules for 500, 5,000 and 50,000 active enrollments.

For each database (fresh PostgreSQL databases created and dropped here, and
temporary SQLite files) the synthetic clinic grows to each size in turn, with
about 60 days of sessions, attendance and homework, and a copy is kept at each
size. For each size it prints the evaluator's time and SQL statement count (each
run rolled back so every run does the same work), the growth from the previous
size, and a baseline measured on the same rows: one plain `GROUP BY` of
per-enrollment attendance rates over the last 14 days. Each time is the fastest of
its samples, taken in five rounds: in each, every size in turn gets the baseline
four times and every kind of evaluation once (and the baseline four more times at
the end), so that a slow spell of the host weighs on every size and on the
baseline alike. "evaluate" is a first evaluation (it writes every
recommendation); "next day" is the worker's daily run, evaluating today after
yesterday's evaluation (it writes what changed: "new" recommendations); "repeat"
evaluates the same day again, which writes nothing.

Run with `python -m tests.perf.bench_tapering` (or through `make bench`).
`BENCH_TAPERING_SIZES=500,5000` picks other sizes, `BENCH_TAPERING_DATABASES=sqlite`
one database.
"""

import contextlib
import itertools
import os
import secrets
import shutil
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from homeward import clock, migrate
from homeward.audit.service import Actor
from homeward.db import make_engine
from homeward.programs.models import Program
from homeward.progress import metrics
from homeward.seed.history import settle_after_bulk_load
from homeward.seed.scale import build_synthetic_clinic
from homeward.sessions.models import ATTENDED, Attendance, AttendanceStatus, TreatmentSession
from homeward.settings import Settings
from homeward.tapering.evaluation import evaluate
from tests.statements import count_queries

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
SIZES = (500, 5_000, 50_000)
HISTORY_DAYS = 60
RUNS = 5  # rounds: in each, every kind of evaluation once, beside the baseline
BASELINE_RUNS = 4  # per round: a short query, cheap to repeat
GOAL_MULTIPLE, GOAL_SECONDS, GOAL_GROWTH = 10.0, 1.0, 12.0


@dataclass
class Measurement:
    database: str
    size: int
    seconds: float
    statements: int
    baseline_seconds: float
    created: int
    repeat_seconds: float
    next_day_seconds: float
    next_day_created: int


class PostgresDatabases:
    """Throw-away PostgreSQL databases: one to grow, and a copy kept at each size."""

    def __init__(self, server: str = SERVER) -> None:
        self.server = server
        self.admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
        self.urls: list[str] = []

    def create(self) -> str:
        return self._create("")

    def copy(self, url: str) -> str:
        # FILE_COPY copies the files at once; the default (WAL_LOG) writes every block
        # to the log, which takes minutes for the larger sizes.
        with self.admin.connect() as connection:
            version = int(connection.execute(text("SHOW server_version_num")).scalar_one())
        strategy = " STRATEGY = FILE_COPY" if version >= 150000 else ""
        return self._create(f' TEMPLATE "{url.rsplit("/", 1)[1]}"{strategy}')

    def _create(self, options: str) -> str:
        name = f"homeward_bench_tapering_{secrets.token_hex(4)}"
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"{options}'))
        self.urls.append(f"{self.server}/{name}")
        return self.urls[-1]

    def close(self) -> None:
        with self.admin.connect() as connection:
            for url in self.urls:
                name = url.rsplit("/", 1)[1]
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


class SqliteDatabases:
    """Temporary SQLite files: one to grow, and a copy kept at each size."""

    def __init__(self) -> None:
        self.folder = tempfile.TemporaryDirectory(prefix="homeward-bench-")
        self.urls: list[str] = []

    def create(self) -> str:
        path = Path(self.folder.name) / f"bench-{len(self.urls) + 1}.db"
        self.urls.append(f"sqlite:///{path}")
        return self.urls[-1]

    def copy(self, url: str) -> str:
        source = url.removeprefix("sqlite:///")
        with contextlib.closing(sqlite3.connect(source)) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        target = self.create()
        shutil.copyfile(source, target.removeprefix("sqlite:///"))
        return target

    def close(self) -> None:
        self.folder.cleanup()


def baseline_query(now: Any) -> Any:
    """Per-enrollment attendance rate over the last 14 days: the simplest honest query."""
    attended = func.sum(
        func.cast(Attendance.status.in_(ATTENDED), type_=Attendance.minutes_attended.type)
    )
    counted = func.count() - func.sum(
        func.cast(
            Attendance.status == AttendanceStatus.absent_excused,
            type_=Attendance.minutes_attended.type,
        )
    )
    return (
        select(Attendance.enrollment_id, attended * 1.0 / func.nullif(counted, 0))
        .join(TreatmentSession, TreatmentSession.id == Attendance.session_id)
        .where(
            TreatmentSession.ends_at >= now - timedelta(days=14),
            TreatmentSession.ends_at <= now,
        )
        .group_by(Attendance.enrollment_id)
    )


def best_of(runs: int, work: Any) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    return best, result


# What an evaluation writes. A rolled-back run leaves its rows behind as dead tuples on
# PostgreSQL (and this server's autovacuum may be off), which would slow every later run.
WRITTEN = ("tapering_recommendations", "enrollments", "extensions", "audit_events")


def clean_slate(engine: Engine) -> None:
    """Vacuum away what earlier rolled-back runs left, so that each run does the same work."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f"VACUUM {', '.join(WRITTEN)}"))


class Sampler:
    """One size's database, and the fastest sample so far of each measurement on it."""

    def __init__(self, database: str, size: int, engine: Engine) -> None:
        self.database, self.size, self.engine = database, size, engine
        self.factory = sessionmaker(bind=engine, expire_on_commit=False)
        self.now = clock.now()
        with self.factory() as db:
            zones = db.scalars(select(Program.timezone).distinct()).all()
        self.yesterday = min(metrics.today_in(zone, self.now) for zone in zones) - timedelta(1)
        self.statements: list[str] = []
        self.baseline = self.repeat = float("inf")
        self.first = self.next_day = (float("inf"), 0)

    def sample_baseline(self) -> None:
        with self.factory() as db:
            seconds, rows = best_of(
                BASELINE_RUNS, lambda: db.execute(baseline_query(self.now)).all()
            )
            assert len(rows) > self.size * 0.9, "the baseline should cover the cohort"
        self.baseline = min(self.baseline, seconds)

    def sample_round(self) -> None:
        """The baseline, then every kind of evaluation once."""
        self.sample_baseline()
        self.first = min(self.first, self._evaluate_once())
        self.repeat = min(self.repeat, self._evaluate_twice())
        self.next_day = min(self.next_day, self._evaluate_next_day())

    def _evaluate_once(self) -> tuple[float, int]:
        clean_slate(self.engine)
        with self.factory() as db, count_queries(db) as seen:
            try:
                started = time.perf_counter()
                created = evaluate(db, Actor.system()).created
                elapsed = time.perf_counter() - started
            finally:
                db.rollback()
            self.statements[:] = seen
            return elapsed, created

    def _evaluate_twice(self) -> float:
        # The same day again: nothing new to write.
        clean_slate(self.engine)
        with self.factory() as db:
            evaluate(db, Actor.system())
            started = time.perf_counter()
            evaluate(db, Actor.system())
            elapsed = time.perf_counter() - started
            db.rollback()
            return elapsed

    def _evaluate_next_day(self) -> tuple[float, int]:
        clean_slate(self.engine)
        with self.factory() as db:
            evaluate(db, Actor.system(), as_of=self.yesterday)
            started = time.perf_counter()
            made = evaluate(db, Actor.system()).created
            elapsed = time.perf_counter() - started
            db.rollback()
            return elapsed, made

    def result(self) -> Measurement:
        return Measurement(
            self.database,
            self.size,
            self.first[0],
            len(self.statements),
            self.baseline,
            self.first[1],
            self.repeat,
            self.next_day[0],
            self.next_day[1],
        )


def grow(engine: Engine, built: int, size: int) -> None:
    started = time.perf_counter()
    with Session(engine) as db:
        build_synthetic_clinic(db, size - built, days=HISTORY_DAYS, seed=size)
        db.commit()
    settle_after_bulk_load(engine)
    print(f"  built {size:>6} enrollments in {time.perf_counter() - started:6.1f} s", flush=True)


def bench(
    name: str, databases: PostgresDatabases | SqliteDatabases, sizes: tuple[int, ...]
) -> list[Measurement]:
    """Grows one database through `sizes`, keeping a copy at each, then samples them all.

    Round by round, every size and the baseline on it: this shared host's speed drifts
    over minutes, and each number is the fastest of its samples, so both sides of a
    ratio, a growth's included, must be sampled across the same stretch of time.
    """
    growing = databases.create()
    settings = Settings(database_url=growing, log_level="WARNING")
    migrate.upgrade(settings)
    urls: list[str] = []
    built = 0
    for size in sizes:
        engine = make_engine(settings)
        grow(engine, built, size)
        engine.dispose()
        built = size
        urls.append(growing if size == sizes[-1] else databases.copy(growing))
    engines = [make_engine(Settings(database_url=url, log_level="WARNING")) for url in urls]
    try:
        samplers = [
            Sampler(name, size, engine) for size, engine in zip(sizes, engines, strict=True)
        ]
        for round_number in range(1, RUNS + 1):
            print(f"  round {round_number}/{RUNS}", flush=True)
            for sampler in samplers:
                sampler.sample_round()
        for sampler in samplers:
            sampler.sample_baseline()
        return [sampler.result() for sampler in samplers]
    finally:
        for engine in engines:
            engine.dispose()


def report(results: list[Measurement]) -> None:
    print()
    print(
        f"{'database':<11}{'active':>8}{'evaluate':>11}{'queries':>9}{'growth':>8}"
        f"{'baseline':>11}{'x base':>8}{'created':>9}{'next day':>10}{'x base':>8}{'new':>6}"
        f"{'repeat':>10}{'x base':>8}"
    )
    previous: Measurement | None = None
    for each in results:
        growth = ""
        if previous is not None and previous.database == each.database:
            growth = f"{each.seconds / previous.seconds:.1f}x"
        print(
            f"{each.database:<11}{each.size:>8}{each.seconds * 1000:>9.0f}ms{each.statements:>9}"
            f"{growth:>8}{each.baseline_seconds * 1000:>9.1f}ms"
            f"{each.seconds / each.baseline_seconds:>7.1f}x{each.created:>9}"
            f"{each.next_day_seconds * 1000:>8.0f}ms"
            f"{each.next_day_seconds / each.baseline_seconds:>7.1f}x{each.next_day_created:>6}"
            f"{each.repeat_seconds * 1000:>8.0f}ms"
            f"{each.repeat_seconds / each.baseline_seconds:>7.1f}x"
        )
        previous = each
    print()
    for each in results:
        if each.database == "postgresql" and each.size == 5_000:
            within = each.seconds <= GOAL_MULTIPLE * each.baseline_seconds
            fast = each.seconds < GOAL_SECONDS
            print(
                f"Goal, 5,000 on PostgreSQL: within {GOAL_MULTIPLE:g}x the baseline "
                f"{'met' if within else 'MISSED'}; under {GOAL_SECONDS:g} s "
                f"{'met' if fast else 'MISSED'}."
            )
    for before, after in itertools.pairwise(results):
        if before.database == after.database:
            growth = after.seconds / before.seconds
            verdict = "met" if growth <= GOAL_GROWTH else "MISSED"
            print(
                f"Goal, growth {before.size} -> {after.size} on {after.database}: "
                f"{growth:.1f}x (at most {GOAL_GROWTH:g}x) {verdict}."
            )


def main() -> None:
    sizes = (
        tuple(int(size) for size in os.environ.get("BENCH_TAPERING_SIZES", "").split(",") if size)
        or SIZES
    )
    print(f"Tapering evaluation benchmark: {', '.join(map(str, sizes))} active enrollments")
    chosen = os.environ.get("BENCH_TAPERING_DATABASES", "postgresql,sqlite").split(",")
    results: list[Measurement] = []
    kinds: tuple[tuple[str, type[PostgresDatabases | SqliteDatabases]], ...] = (
        ("postgresql", PostgresDatabases),
        ("sqlite", SqliteDatabases),
    )
    for name, kind in kinds:
        if name not in chosen:
            continue
        print(f"{name}:", flush=True)
        databases = kind()
        try:
            results += bench(name, databases, sizes)
        finally:
            databases.close()
    report(results)


if __name__ == "__main__":
    main()
