import hashlib
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from homeward import clock
from homeward.auth.models import User
from homeward.cli import app as cli
from homeward.enrollments.models import (
    ClinicalEvent,
    Enrollment,
    EnrollmentStatus,
    Extension,
    PhaseChange,
)
from homeward.homework.models import Homework, HomeworkStatus
from homeward.models import Base
from homeward.patients.models import Consent, Patient, PatientContact
from homeward.programs.models import Program
from homeward.seed.demo import seed_demo_clinic
from homeward.sessions.models import Attendance, SessionStatus, TreatmentSession
from homeward.settings import get_settings
from tests.demo.invariants import check_clinic_invariants

NOW = datetime(2026, 3, 4, 15, 30, tzinfo=UTC)
# Rows carry no password hashes (salted: different every run) into the digest.
SKIPPED_COLUMNS = {"password_hash"}
DEMO_TABLES = (
    "users",
    "programs",
    "slots",
    "phases",
    "phase_slots",
    "patients",
    "patient_contacts",
    "consents",
    "enrollments",
    "phase_changes",
    "enrollment_status_changes",
    "extensions",
    "treatment_sessions",
    "session_roster",
    "attendance",
    "homework_templates",
    "homework",
    "clinical_events",
)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


def _digest(db: Session) -> str:
    digest = hashlib.sha256()
    for name in DEMO_TABLES:
        table: Table = Base.metadata.tables[name]
        columns = [c for c in table.columns if c.name not in SKIPPED_COLUMNS]
        rows = db.execute(select(*columns)).all()
        for row in sorted(repr(tuple(row)) for row in rows):
            digest.update(f"{name}:{row}\n".encode())
    return digest.hexdigest()


def _seeded_digest(db: Session, seed: int) -> str:
    savepoint = db.begin_nested()
    seed_demo_clinic(db, seed=seed)
    value = _digest(db)
    savepoint.rollback()
    return value


def test_same_seed_same_clinic(db: Session) -> None:
    first = _seeded_digest(db, 7)
    assert _seeded_digest(db, 7) == first
    assert _seeded_digest(db, 8) != first


def test_demo_clinic_keeps_the_domain_invariants(db: Session) -> None:
    seed_demo_clinic(db)
    check_clinic_invariants(db, NOW)


def test_demo_clinic_has_a_realistic_mix(db: Session) -> None:
    logins = seed_demo_clinic(db)
    assert {role for _email, role in logins} == {
        "admin",
        "clinician",
        "medical",
        "intake",
        "viewer",
    }
    assert 110 <= db.scalar(select(func.count()).select_from(Patient)) <= 130
    assert db.scalar(select(func.count()).select_from(PatientContact)) >= 120
    assert db.scalar(select(func.count()).select_from(Consent)) >= 120
    statuses = Counter(db.scalars(select(Enrollment.status)))
    assert statuses[EnrollmentStatus.active] > sum(statuses.values()) / 2
    assert all(statuses[s] > 0 for s in EnrollmentStatus)
    reasons = set(
        db.scalars(select(Enrollment.discharge_reason).where(Enrollment.status == "discharged"))
    )
    assert len(reasons) >= 3
    assert db.scalar(select(func.count()).select_from(Extension)) >= 2
    step_ups = db.scalar(select(func.count()).where(PhaseChange.reason.like("step up%")))
    assert step_ups >= 1

    attendance = Counter(db.scalars(select(Attendance.status)))
    total = sum(attendance.values())
    assert attendance["present"] > total * 0.6
    assert all(
        attendance[s] > 0 for s in ("late", "left_early", "absent_excused", "absent_unexcused")
    )
    homework = Counter(db.scalars(select(Homework.status)))
    assert (
        homework[HomeworkStatus.submitted] + homework[HomeworkStatus.reviewed]
        > sum(homework.values()) / 2
    )
    missed = db.scalar(
        select(func.count()).where(Homework.status == "assigned", Homework.due_at < NOW)
    )
    assert missed > 0
    events = Counter(db.execute(select(ClinicalEvent.kind, ClinicalEvent.result)).tuples())
    assert 1 <= events[("relapse", None)] <= 10
    assert events[("drug_screen", "negative")] > 10 * events[("drug_screen", "positive")] > 0

    starts = db.scalars(select(TreatmentSession.starts_at)).all()
    assert min(starts) < NOW - timedelta(weeks=9)
    assert NOW + timedelta(days=12) < max(starts) < NOW + timedelta(days=15)
    cancelled = db.scalar(
        select(func.count()).where(TreatmentSession.status == SessionStatus.cancelled)
    )
    assert cancelled >= 1


def test_day_program_tapers_from_five_days_to_two_evenings(db: Session) -> None:
    seed_demo_clinic(db)
    program = db.scalar(select(Program).where(Program.name == "Day IOP"))
    assert program is not None
    days = []
    for phase in program.phases:
        by_day: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for slot in phase.slots:
            by_day[slot.weekday].append((slot.start_time.hour, slot.end_time.hour))
        days.append(
            {day: (min(s for s, _ in t), max(e for _, e in t)) for day, t in by_day.items()}
        )
    assert days[0] == {d: (9, 17) for d in range(5)}
    assert len(days[1]) == 3
    assert all(start >= 9 and end <= 17 for start, end in days[1].values())
    assert len(days[2]) == 2
    assert all(start >= 17 for start, _ in days[2].values())
    names = {p.name for p in db.scalars(select(Program))}
    assert names == {"Day IOP", "Evening IOP", "Partial Hospitalization"}


def test_seed_demo_if_empty_does_nothing_the_second_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'demo.db'}")
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        assert runner.invoke(cli, ["migrate"]).exit_code == 0
        first = runner.invoke(cli, ["seed-demo", "--if-empty"])
        assert first.exit_code == 0, first.output
        assert "admin@homeward.example" in first.output
        second = runner.invoke(cli, ["seed-demo", "--if-empty"])
        assert second.exit_code == 0
        assert "already present" in second.output
        from homeward.db import make_engine

        engine = make_engine(get_settings())
        with Session(engine) as db:
            assert db.scalar(select(func.count()).select_from(User)) == 6
            assert db.scalar(select(func.count()).select_from(Patient)) == 120
        engine.dispose()
    finally:
        get_settings.cache_clear()
