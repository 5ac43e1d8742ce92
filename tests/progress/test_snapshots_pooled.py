"""The progress snapshot served from the server's pool (PostgreSQL), with its audit event."""

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from homeward.audit.models import AuditEvent
from homeward.enrollments.loading import program_today
from homeward.enrollments.models import ClinicalEvent, Enrollment, EventKind
from homeward.main import create_app
from homeward.progress.models import ProgressSnapshot
from tests.served_clinic import Clinic, clinic, signed_in

__all__ = ["clinic"]  # the fixture, used by name


def test_the_pool_serves_the_kept_snapshot_until_an_input_changes(clinic: Clinic) -> None:
    url = f"/api/v1/enrollments/{clinic.enrollment_id}/progress"
    pooled = TestClient(create_app(clinic.settings))
    plain = TestClient(create_app(clinic.settings.model_copy(update={"read_pool_size": 0})))
    with pooled, plain:
        signed_in(pooled, clinic.email)
        signed_in(plain, clinic.email)
        computed = pooled.get(url)
        assert computed.status_code == 200, computed.text
        assert plain.get(url).json() == computed.json()
        # What is served now is what was kept, as kept.
        clinic.session.execute(
            update(ProgressSnapshot)
            .where(ProgressSnapshot.enrollment_id == clinic.enrollment_id)
            .values(body=b'{"kept": true}')
        )
        clinic.session.commit()
        kept = pooled.get(url)
        # The program's today, not the machine's: this week is the program's week.
        enrollment = clinic.session.get_one(Enrollment, clinic.enrollment_id)
        today = program_today(enrollment.program)
        clinic.session.add(
            ClinicalEvent(
                enrollment_id=clinic.enrollment_id, kind=EventKind.crisis, occurred_on=today
            )
        )
        clinic.session.commit()
        changed = pooled.get(url)

    assert kept.status_code == 200 and kept.json() == {"kept": True}
    assert kept.headers["content-type"] == "application/json"
    this_week = changed.json()["weeks"][-1]
    assert [event["kind"] for event in this_week["events"]] == ["crisis"]
    clinic.session.expire_all()
    events = clinic.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "progress.read").order_by(AuditEvent.id)
    ).all()
    assert [(e.resource_id, e.patient_id, e.detail) for e in events] == [
        (str(clinic.enrollment_id), clinic.patient_id, {"weeks": 12})
    ] * 4
