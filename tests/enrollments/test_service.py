"""Service tests: rosters that follow the lifecycle, treatment plans, events, the timeline."""

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from homeward.audit.service import Actor
from homeward.enrollments import events, plans, service, timeline
from homeward.enrollments.exceptions import (
    EnrollmentNotFound,
    IllegalTransition,
    TreatmentPlanNotFound,
)
from homeward.enrollments.models import EnrollmentStatus
from homeward.enrollments.schemas import (
    ChangePhaseRequest,
    EventCreate,
    ExtendRequest,
    StatusNote,
    TreatmentPlanWrite,
)
from homeward.errors import InvalidInput, PreconditionFailed, PreconditionRequired
from homeward.homework.models import Homework, HomeworkCategory, HomeworkStatus, ReviewOutcome
from homeward.pagination import PageParams
from homeward.sessions.models import Attendance, AttendanceStatus, RosterEntry
from tests.enrollments.helpers import NOW, Clinic, clinic, freeze, pending
from tests.factories import Factories
from tests.statements import count_queries

ACTOR = Actor.system()


@pytest.fixture(autouse=True)
def _frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    freeze(monkeypatch)


@pytest.fixture
def day(factories: Factories) -> Clinic:
    return clinic(factories)


def _roster(db: Session, session_id: object) -> set[object]:
    return set(
        db.scalars(select(RosterEntry.enrollment_id).where(RosterEntry.session_id == session_id))
    )


def test_change_phase_reroster_future_sessions_and_keeps_the_past(
    db: Session, factories: Factories, day: Clinic
) -> None:
    moving, staying = factories.enrollment(day.program), factories.enrollment(day.program)
    past_monday = factories.session(
        day.program, NOW - timedelta(days=7), slot=day.monday, roster=[moving, staying]
    )
    db.add(
        Attendance(
            session_id=past_monday.id,
            enrollment_id=moving.id,
            status=AttendanceStatus.present,
            minutes_attended=180,
        )
    )
    next_monday = factories.session(
        day.program, NOW + timedelta(days=7), slot=day.monday, roster=[moving, staying]
    )
    next_wednesday = factories.session(
        day.program, NOW + timedelta(days=2), slot=day.wednesday, roster=[moving, staying]
    )

    service.change_phase(
        db, ACTOR, moving.id, ChangePhaseRequest(phase_id=day.taper.id, reason="steady progress")
    )
    assert _roster(db, next_monday.id) == {staying.id}
    assert _roster(db, next_wednesday.id) == {moving.id, staying.id}
    assert _roster(db, past_monday.id) == {moving.id, staying.id}
    (kept,) = db.scalars(select(Attendance).where(Attendance.session_id == past_monday.id))
    assert (kept.enrollment_id, kept.minutes_attended) == (moving.id, 180)

    # Stepping back up puts the client on the Monday roster again, at once.
    service.change_phase(
        db, ACTOR, moving.id, ChangePhaseRequest(phase_id=day.intensive.id, reason="relapse")
    )
    assert _roster(db, next_monday.id) == {moving.id, staying.id}


def test_hold_and_discharge_leave_future_rosters_and_resume_returns(
    db: Session, factories: Factories, day: Clinic
) -> None:
    enrollment = factories.enrollment(day.program)
    past = factories.session(day.program, NOW - timedelta(days=5), slot=day.wednesday)
    db.add(RosterEntry(session_id=past.id, enrollment_id=enrollment.id))
    future = factories.session(
        day.program, NOW + timedelta(days=2), slot=day.wednesday, roster=[enrollment]
    )
    service.hold(db, ACTOR, enrollment.id, StatusNote(note="hospital stay"))
    assert _roster(db, future.id) == set()
    assert _roster(db, past.id) == {enrollment.id}
    service.resume(db, ACTOR, enrollment.id)
    assert _roster(db, future.id) == {enrollment.id}


def test_admission_rosters_future_sessions_of_the_first_phase(
    db: Session, factories: Factories, day: Clinic
) -> None:
    enrollment = pending(factories, day.program)
    future = factories.session(day.program, NOW + timedelta(days=7), slot=day.monday)
    service.admit(db, ACTOR, enrollment.id)
    assert _roster(db, future.id) == {enrollment.id}


# Treatment plans


def _plan(**fields: object) -> TreatmentPlanWrite:
    values: dict[str, object] = {
        "triggers": ["payday", "old friends"],
        "coping_strategies": ["call sponsor"],
        "goals": [
            {
                "description": "Rebuild sleep routine",
                "objectives": ["in bed by 11", "no screens after 10"],
                "status": "in_progress",
            }
        ],
        "sobriety_plan": "Weekly meetings after discharge.",
    }
    return TreatmentPlanWrite.model_validate(values | fields)


def test_treatment_plan_first_put_then_etag_guarded(
    db: Session, factories: Factories, day: Clinic
) -> None:
    enrollment = factories.enrollment(day.program)
    with pytest.raises(TreatmentPlanNotFound):
        plans.get_treatment_plan(db, ACTOR, enrollment.id)
    plan = plans.put_treatment_plan(db, ACTOR, enrollment.id, _plan(), None)
    assert plan.version == 1 and plan.goals[0]["status"] == "in_progress"
    with pytest.raises(PreconditionRequired):
        plans.put_treatment_plan(db, ACTOR, enrollment.id, _plan(), None)
    updated = plans.put_treatment_plan(db, ACTOR, enrollment.id, _plan(triggers=[]), '"1"')
    assert updated.version == 2 and updated.triggers == []
    with pytest.raises(PreconditionFailed):
        plans.put_treatment_plan(db, ACTOR, enrollment.id, _plan(), '"1"')
    with pytest.raises(EnrollmentNotFound):
        plans.put_treatment_plan(db, ACTOR, day.program.id, _plan(), None)
    with pytest.raises(ValidationError):
        _plan(goals=[{"description": "x", "status": "abandoned"}])


# Events


def _event(**fields: object) -> EventCreate:
    values: dict[str, object] = {"kind": "relapse", "occurred_on": "2026-02-28"}
    return EventCreate.model_validate(values | fields)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "drug_screen"}, "needs a result"),
        ({"kind": "crisis", "result": "negative"}, "only a drug screen"),
        ({"occurred_on": "2026-03-03"}, "in the future"),
        ({"occurred_on": "2026-01-04"}, "before admission"),
    ],
)
def test_event_validation(
    db: Session, factories: Factories, day: Clinic, fields: dict[str, object], message: str
) -> None:
    enrollment = factories.enrollment(day.program, admitted_on=date(2026, 1, 5))
    with pytest.raises(InvalidInput, match=message) as refused:
        events.record_event(db, ACTOR, enrollment.id, _event(**fields))
    assert refused.value.errors and refused.value.errors[0].loc[0] == "body"


def test_events_need_an_admission_and_list_newest_first(
    db: Session, factories: Factories, day: Clinic
) -> None:
    with pytest.raises(InvalidInput, match="not admitted"):
        events.record_event(db, ACTOR, pending(factories, day.program).id, _event())
    enrollment = factories.enrollment(day.program)
    events.record_event(db, ACTOR, enrollment.id, _event(occurred_on="2026-02-01"))
    screen = events.record_event(
        db,
        ACTOR,
        enrollment.id,
        _event(
            kind="drug_screen",
            result="positive",
            substances=["opioids", "opioids", "alcohol"],
            occurred_on="2026-03-02",
        ),
    )
    assert screen.substances == ["opioids", "alcohol"]
    page = events.list_events(db, ACTOR, enrollment.id, PageParams(limit=1))
    assert [e.kind for e in page.items] == ["drug_screen"]
    rest = events.list_events(db, ACTOR, enrollment.id, PageParams(cursor=page.next_cursor))
    assert [e.occurred_on for e in rest.items] == [date(2026, 2, 1)]


# Timeline


def test_timeline_merges_everything_newest_first(
    db: Session, factories: Factories, day: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    enrollment = pending(factories, day.program)
    at = datetime(2026, 2, 2, 15, tzinfo=UTC)  # 09:00 in Chicago
    freeze(monkeypatch, at)
    service.admit(db, ACTOR, enrollment.id)
    freeze(monkeypatch, at + timedelta(days=10))
    service.change_phase(
        db, ACTOR, enrollment.id, ChangePhaseRequest(phase_id=day.taper.id, reason="steady")
    )
    freeze(monkeypatch, at + timedelta(days=20))
    # Recorded on 22 February about 14 February: it belongs on the 14th.
    events.record_event(
        db, ACTOR, enrollment.id, _event(occurred_on="2026-02-14", substances=["alcohol"])
    )
    service.extend(db, ACTOR, enrollment.id, ExtendRequest(days=14, reason="relapse"))
    db.add(
        Homework(
            enrollment_id=enrollment.id,
            title="Trigger journal",
            category=HomeworkCategory.trigger_journal,
            due_at=at + timedelta(days=21),
            status=HomeworkStatus.reviewed,
            reviewed_at=at + timedelta(days=21, hours=2),
            review_outcome=ReviewOutcome.accepted,
        )
    )
    db.flush()

    items = timeline.timeline(db, ACTOR, enrollment.id)
    assert [(item.kind, item.summary, item.at) for item in items] == [
        (
            "homework_review",
            "Homework reviewed: Trigger journal (accepted)",
            at + timedelta(days=21, hours=2),
        ),
        (
            "extension",
            "Stay extended by 14 days (relapse) to 2026-04-17",
            at + timedelta(days=20),
        ),
        # Midnight in Chicago on the day it happened, not the day it was recorded.
        ("event", "Relapse (alcohol)", datetime(2026, 2, 14, 6, tzinfo=UTC)),
        ("phase_change", "Moved from Intensive to Taper: steady", at + timedelta(days=10)),
        ("phase_change", "Started in Intensive", at),
        ("status_change", "Admitted", at),
    ]
    assert items[3].detail["from_phase_name"] == "Intensive"
    assert items[2].detail["substances"] == ["alcohol"]


def test_timeline_runs_a_fixed_number_of_queries(
    db: Session, factories: Factories, day: Clinic
) -> None:
    def count(events_to_add: int) -> int:
        enrollment = factories.enrollment(day.program)
        for _ in range(events_to_add):
            events.record_event(db, ACTOR, enrollment.id, _event())
            service.extend(db, ACTOR, enrollment.id, ExtendRequest(days=1, reason="other"))
        db.expire_all()
        with count_queries(db) as statements:
            items = timeline.timeline(db, ACTOR, enrollment.id)
        assert len(items) == 2 * events_to_add
        return len(statements)

    assert count(1) == count(6)


def test_pending_enrollments_are_not_extended(
    db: Session, factories: Factories, day: Clinic
) -> None:
    enrollment = pending(factories, day.program)
    with pytest.raises(IllegalTransition, match="pending"):
        service.extend(db, ACTOR, enrollment.id, ExtendRequest(days=3, reason="medical"))
    assert enrollment.status == EnrollmentStatus.pending
