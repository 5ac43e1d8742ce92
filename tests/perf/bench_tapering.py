"""Benchmark: evaluating tapering rules for 500, 5,000 and 50,000 active enrollments.

For each database (a fresh PostgreSQL database created and dropped here, and a
temporary SQLite file) the synthetic clinic grows to each size in turn, with
about 60 days of sessions, attendance and homework. At each size it prints the
evaluator's time and SQL statement count (each run rolled back so every run does
the same work), the growth from the previous size, and a baseline measured on the
same rows: one plain `GROUP BY` of per-enrollment attendance rates over the last
14 days. Each time is the fastest of its samples, taken in five rounds: in each,
the baseline four times and every kind of evaluation once (and the baseline four
more times at the end). "evaluate" is a first evaluation (it writes every
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
import tempfile
import time
from collections.abc import Iterator
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
from homeward.scale import build_synthetic_clinic
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


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    name = f"homeward_bench_tapering_{secrets.token_hex(4)}"
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
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="homeward-bench-") as folder:
        yield f"sqlite:///{Path(folder) / 'bench.db'}"


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


def measure(engine: Engine, name: str, size: int) -> Measurement:
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    now = clock.now()

    def baseline_once() -> float:
        with factory() as db:
            seconds, rows = best_of(BASELINE_RUNS, lambda: db.execute(baseline_query(now)).all())
            assert len(rows) > size * 0.9, "the baseline should cover the cohort"
        return float(seconds)

    statements: list[str] = []

    def evaluate_once() -> tuple[float, int]:
        clean_slate(engine)
        with factory() as db, count_queries(db) as seen:
            try:
                started = time.perf_counter()
                created = evaluate(db, Actor.system()).created
                elapsed = time.perf_counter() - started
            finally:
                db.rollback()
            statements[:] = seen
            return elapsed, created

    def evaluate_twice() -> float:
        # The same day again: nothing new to write.
        clean_slate(engine)
        with factory() as db:
            evaluate(db, Actor.system())
            started = time.perf_counter()
            evaluate(db, Actor.system())
            elapsed = time.perf_counter() - started
            db.rollback()
            return elapsed

    with factory() as db:
        zones = db.scalars(select(Program.timezone).distinct()).all()
    yesterday = min(metrics.today_in(zone, now) for zone in zones) - timedelta(days=1)

    def evaluate_next_day() -> tuple[float, int]:
        clean_slate(engine)
        with factory() as db:
            evaluate(db, Actor.system(), as_of=yesterday)
            started = time.perf_counter()
            made = evaluate(db, Actor.system()).created
            elapsed = time.perf_counter() - started
            db.rollback()
            return elapsed, made

    # Round by round, the baseline beside each kind of evaluation: this shared host's
    # speed drifts within a run, and each number is the fastest of its samples, so
    # both sides of a ratio must be sampled across the same stretch of time.
    baseline = first = repeat = next_day = (float("inf"), 0)
    for _ in range(RUNS):
        baseline = min(baseline, (baseline_once(), 0))
        first = min(first, evaluate_once())
        repeat = min(repeat, (evaluate_twice(), 0))
        next_day = min(next_day, evaluate_next_day())
    baseline = min(baseline, (baseline_once(), 0))
    return Measurement(
        name,
        size,
        first[0],
        len(statements),
        baseline[0],
        first[1],
        repeat[0],
        next_day[0],
        next_day[1],
    )


def grow(engine: Engine, settings: Settings, built: int, size: int) -> None:
    started = time.perf_counter()
    with Session(engine) as db:
        build_synthetic_clinic(db, size - built, days=HISTORY_DAYS, seed=size)
        db.commit()
    if not settings.is_sqlite:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    print(f"  built {size:>6} enrollments in {time.perf_counter() - started:6.1f} s", flush=True)


def bench(name: str, database_url: str, sizes: tuple[int, ...]) -> list[Measurement]:
    settings = Settings(database_url=database_url, log_level="WARNING")
    migrate.upgrade(settings)
    engine = make_engine(settings)
    results = []
    built = 0
    try:
        for size in sizes:
            grow(engine, settings, built, size)
            built = size
            results.append(measure(engine, name, size))
    finally:
        engine.dispose()
    return results


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
    for name, database in (("postgresql", postgres_database), ("sqlite", sqlite_database)):
        if name not in chosen:
            continue
        print(f"{name}:", flush=True)
        with database() as url:
            results += bench(name, url, sizes)
    report(results)


if __name__ == "__main__":
    main()
