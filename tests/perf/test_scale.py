from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from homeward import clock
from homeward.cli import app as cli
from homeward.db import make_engine
from homeward.enrollments.models import ClinicalEvent, Enrollment, EnrollmentStatus
from homeward.homework.models import Homework
from homeward.patients.models import Patient
from homeward.programs.models import Phase, Program, Slot
from homeward.seed.history import settle_after_bulk_load
from homeward.seed.scale import UPCOMING_DAYS, build_synthetic_clinic
from homeward.sessions.models import Attendance, RosterEntry, TreatmentSession
from homeward.settings import get_settings
from tests.demo.invariants import check_clinic_invariants

NOW = datetime(2026, 3, 4, 16, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


def _count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_small_synthetic_clinic(db: Session) -> None:
    calls: list[tuple[int, int]] = []
    build_synthetic_clinic(db, 50, days=7, progress=lambda done, total: calls.append((done, total)))

    assert calls == [(50, 50)]
    program = db.scalar(select(Program))
    assert program is not None and _count(db, Program) == 1
    assert (_count(db, Phase), _count(db, Slot)) == (3, 8)
    assert _count(db, Patient) == 50
    statuses = Counter(db.scalars(select(Enrollment.status)))
    assert statuses == {EnrollmentStatus.active: 50}

    zone = ZoneInfo(program.timezone)
    today = NOW.astimezone(zone).date()
    first = today - timedelta(days=6)
    days = [first + timedelta(days=n) for n in range(7 + UPCOMING_DAYS)]
    weekdays = Counter(slot.weekday for slot in program.slots)
    assert _count(db, TreatmentSession) == sum(weekdays[d.weekday()] for d in days)

    # One nightly assignment per enrollment for each day since admission in the window.
    expected_homework = sum(
        (today - max(admitted, first)).days + 1
        for admitted in db.scalars(select(Enrollment.admitted_on))
    )
    assert _count(db, Homework) == expected_homework
    ended_roster = db.scalar(
        select(func.count())
        .select_from(RosterEntry)
        .join(TreatmentSession, TreatmentSession.id == RosterEntry.session_id)
        .where(TreatmentSession.ends_at <= NOW)
    )
    assert _count(db, Attendance) == ended_roster > 0
    assert _count(db, ClinicalEvent) > 0
    check_clinic_invariants(db, NOW)


def test_several_clinics_share_a_database(db: Session) -> None:
    build_synthetic_clinic(db, 5, days=3, seed=1)
    build_synthetic_clinic(db, 5, days=3, seed=1)
    assert _count(db, Enrollment) == 10
    assert _count(db, Program) == 2


def test_programs_are_sized_to_the_cohort(db: Session) -> None:
    build_synthetic_clinic(db, 150, days=1)
    sizes = sorted(
        db.scalars(select(func.count()).select_from(Enrollment).group_by(Enrollment.program_id))
    )
    assert sizes == [30, 60, 60]
    check_clinic_invariants(db, NOW)


def test_bad_sizes_are_refused(db: Session) -> None:
    with pytest.raises(ValueError, match="positive"):
        build_synthetic_clinic(db, 0)


def test_seed_command_builds_a_clinic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'scale.db'}")
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        assert runner.invoke(cli, ["migrate"]).exit_code == 0
        result = runner.invoke(cli, ["seed", "--scale", "20", "--days", "3"])
        assert result.exit_code == 0, result.output
        assert "20 active enrollments" in result.output
        assert runner.invoke(cli, ["seed", "--scale", "0"]).exit_code == 1
        engine = make_engine(get_settings())
        with Session(engine) as db:
            assert _count(db, Enrollment) == 20
        engine.dispose()
    finally:
        get_settings.cache_clear()


def test_a_bulk_load_is_settled_as_the_database_would_settle_it(engine: Engine) -> None:
    settle_after_bulk_load(engine)
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            # ANALYZE writes its statistics to sqlite_stat1 (created by the first one).
            tables = connection.execute(text("SELECT name FROM sqlite_master")).scalars()
            assert "sqlite_stat1" in set(tables)
        else:
            vacuumed = connection.execute(
                text(
                    "SELECT last_vacuum IS NOT NULL AND last_analyze IS NOT NULL "
                    "FROM pg_stat_user_tables WHERE relname = 'enrollments'"
                )
            ).scalar_one()
            assert vacuumed
