"""Builders for test data, and signed-in clients for each role."""

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from homeward.audit.service import Actor
from homeward.auth.models import Role, User
from homeward.auth.passwords import hash_password
from homeward.enrollments.models import Enrollment, EnrollmentStatus
from homeward.partners import service as partners_service
from homeward.partners.models import Partner
from homeward.partners.schemas import ApiKeyCreate
from homeward.patients.models import Patient
from homeward.programs.levels import ASAM_EDITION, LevelOfCare, Population
from homeward.programs.models import Phase, Program, SessionType, Slot
from homeward.sessions.models import RosterEntry, TreatmentSession

TEST_PASSWORD = "correct-horse-battery-9"
UTC_NOON = datetime(2026, 3, 2, 12, tzinfo=UTC)
_counter = itertools.count(1)


@lru_cache
def _password_hash() -> str:
    # Hashing is deliberately slow; every test user shares one hash.
    return hash_password(TEST_PASSWORD)


@dataclass
class Factories:
    db: Session
    created: list[Any] = field(default_factory=list)

    def _add(self, obj: Any) -> Any:
        self.db.add(obj)
        self.db.flush()
        return obj

    def user(self, role: str = "clinician", **overrides: Any) -> User:
        n = next(_counter)
        values: dict[str, Any] = {
            "email": f"{role}{n}-{uuid.uuid4().hex[:6]}@clinic.example",
            "full_name": f"{role.title()} {n}",
            "role": Role(role),
            "password_hash": _password_hash(),
        }
        values.update(overrides)
        user: User = self._add(User(**values))
        return user

    def program(self, **overrides: Any) -> Program:
        values: dict[str, Any] = {
            "name": f"Program {next(_counter)}",
            "description": "",
            "level_of_care": LevelOfCare.intensive_outpatient,
            "level_of_care_edition": ASAM_EDITION,
            "population": Population.adult,
            "capacity": 20,
            "timezone": "America/Chicago",
            "default_length_days": 60,
            "services_offered": ["group_therapy"],
        }
        values.update(overrides)
        program: Program = self._add(Program(**values))
        return program

    def slot(
        self,
        program: Program,
        weekday: int = 0,
        start: time = time(9),
        end: time = time(12),
        **overrides: Any,
    ) -> Slot:
        values: dict[str, Any] = {
            "program_id": program.id,
            "weekday": weekday,
            "start_time": start,
            "end_time": end,
            "session_type": SessionType.group_therapy,
            "title": "Process group",
        }
        values.update(overrides)
        slot: Slot = self._add(Slot(**values))
        self.db.refresh(program)
        return slot

    def phase(
        self, program: Program, slots: list[Slot], order: int | None = None, **overrides: Any
    ) -> Phase:
        values: dict[str, Any] = {
            "program_id": program.id,
            "name": f"Phase {next(_counter)}",
            "order": order or len(program.phases) + 1,
            "slots": slots,
        }
        values.update(overrides)
        phase: Phase = self._add(Phase(**values))
        self.db.refresh(program)
        return phase

    def patient(self, **overrides: Any) -> Patient:
        n = next(_counter)
        values: dict[str, Any] = {
            "mrn": f"T{n:07d}{uuid.uuid4().hex[:4]}",
            "given_name": f"Given{n}",
            "family_name": f"Family{n}",
            "date_of_birth": date(1985, 1, 1) + timedelta(days=n),
        }
        values.update(overrides)
        patient: Patient = self._add(Patient(**values))
        return patient

    def enrollment(
        self,
        program: Program,
        phase: Phase | None = None,
        patient: Patient | None = None,
        status: EnrollmentStatus = EnrollmentStatus.active,
        admitted_on: date = date(2026, 1, 5),
        **overrides: Any,
    ) -> Enrollment:
        """An enrollment, active in `phase` (the program's first phase by default)."""
        phase = phase or (program.phases[0] if program.phases else None)
        values: dict[str, Any] = {
            "patient_id": (patient or self.patient()).id,
            "program_id": program.id,
            "status": status,
            "current_phase_id": phase.id if phase else None,
            "phase_started_on": admitted_on,
            "admitted_on": admitted_on,
            "expected_end_on": admitted_on + timedelta(days=program.default_length_days),
        }
        values.update(overrides)
        enrollment: Enrollment = self._add(Enrollment(**values))
        return enrollment

    def session(
        self,
        program: Program,
        starts_at: datetime,
        minutes: int = 180,
        slot: Slot | None = None,
        roster: list[Enrollment] = (),  # type: ignore[assignment]
        **overrides: Any,
    ) -> TreatmentSession:
        values: dict[str, Any] = {
            "program_id": program.id,
            "slot_id": slot.id if slot else None,
            "session_type": slot.session_type if slot else SessionType.group_therapy,
            "title": slot.title if slot else "Group",
            "starts_at": starts_at,
            "ends_at": starts_at + timedelta(minutes=minutes),
        }
        values.update(overrides)
        session: TreatmentSession = self._add(TreatmentSession(**values))
        for enrollment in roster:
            self.db.add(RosterEntry(session_id=session.id, enrollment_id=enrollment.id))
        self.db.flush()
        return session

    def partner(self, **overrides: Any) -> Partner:
        values: dict[str, Any] = {
            "name": f"Partner {next(_counter)}",
            "contact_email": "intake@partner.example",
        }
        values.update(overrides)
        partner: Partner = self._add(Partner(**values))
        return partner

    def api_key(self, partner: Partner) -> str:
        created = partners_service.create_api_key(
            self.db, Actor.system(), partner.id, ApiKeyCreate(name="test")
        )
        return created.key


class StaffClient(TestClient):
    user: User
    csrf_token: str


def login_as(app: FastAPI, factories: Factories, role: str) -> StaffClient:
    """A client signed in as a new user of `role`, sending its CSRF token on every call."""
    user = factories.user(role)
    client = StaffClient(app, raise_server_exceptions=False)
    response = client.post(
        "/api/v1/auth/login", json={"email": user.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 200, response.text
    client.user = user
    client.csrf_token = response.json()["csrf_token"]
    client.headers["X-CSRF-Token"] = client.csrf_token
    return client


def partner_client(app: FastAPI, key: str) -> TestClient:
    client = TestClient(app, raise_server_exceptions=False)
    client.headers["Authorization"] = f"Bearer {key}"
    return client
