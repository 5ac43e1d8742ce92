import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy.orm import Session

from homeward.audit.service import Actor
from homeward.enrollments.models import EnrollmentStatus
from homeward.errors import InvalidInput
from homeward.homework import service
from homeward.homework.due import next_morning
from homeward.homework.exceptions import (
    EnrollmentNotActive,
    EnrollmentNotFound,
    HomeworkHandedIn,
    HomeworkNotFound,
    HomeworkNotSubmitted,
    NoAttendees,
)
from homeward.homework.models import HomeworkReadStatus, HomeworkStatus, ReviewOutcome
from homeward.homework.schemas import (
    HomeworkCreate,
    HomeworkReview,
    HomeworkTemplateCreate,
    HomeworkUpdate,
)
from homeward.pagination import PageParams
from homeward.sessions.models import Attendance, AttendanceStatus, SessionStatus
from homeward.sessions.schemas import AttendanceWrite
from tests.factories import Factories
from tests.sessions.helpers import NOW, audit_count, clinic, freeze

ACTOR = Actor.system()
JOURNAL = {"title": "Trigger journal", "category": "trigger_journal"}


@pytest.fixture(autouse=True)
def _frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    freeze(monkeypatch)


def _create(**fields: Any) -> HomeworkCreate:
    return HomeworkCreate.model_validate({**JOURNAL, **fields})


def test_next_morning_is_09_00_program_time() -> None:
    # 06:00 on Monday 2 March in Chicago (CST): Tuesday 09:00 CST is 15:00 UTC.
    assert next_morning("America/Chicago", NOW) == datetime(2026, 3, 3, 15, tzinfo=UTC)
    # 23:30 UTC on Monday is already Tuesday 08:30 in Tokyo: Wednesday 09:00 JST.
    late = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)
    assert next_morning("Asia/Tokyo", late) == datetime(2026, 3, 4, 0, tzinfo=UTC)
    # Saturday 7 March in Chicago: Sunday 09:00 is after spring forward, so CDT (UTC-5).
    assert next_morning("America/Chicago", datetime(2026, 3, 7, 18, tzinfo=UTC)) == datetime(
        2026, 3, 8, 14, tzinfo=UTC
    )


def test_due_defaults_to_the_next_session(db: Session, factories: Factories) -> None:
    setup = clinic(factories)
    client = setup.enroll(factories)
    # Earlier ones: in the past, cancelled, or without this client.
    factories.session(setup.program, NOW - timedelta(hours=1), roster=[client])
    factories.session(
        setup.program, NOW + timedelta(hours=2), roster=[client], status=SessionStatus.cancelled
    )
    factories.session(setup.program, NOW + timedelta(hours=3))
    following = factories.session(setup.program, NOW + timedelta(days=1), roster=[client])
    factories.session(setup.program, NOW + timedelta(days=2), roster=[client])

    homework = service.assign_to_enrollment(db, ACTOR, client.id, _create())
    assert homework.due_at == following.starts_at
    assert homework.read_status == HomeworkReadStatus.assigned
    assert audit_count(db, "homework.assign") == 1


def test_due_defaults_to_tomorrow_morning_without_a_session(
    db: Session, factories: Factories
) -> None:
    setup = clinic(factories, timezone="America/Los_Angeles")
    client = setup.enroll(factories)
    homework = service.assign_to_enrollment(db, ACTOR, client.id, _create())
    # 04:00 PST Monday; Tuesday 09:00 PST = 17:00 UTC.
    assert homework.due_at == datetime(2026, 3, 3, 17, tzinfo=UTC)
    explicit = datetime(2026, 3, 5, 1, tzinfo=UTC)
    assert service.assign_to_enrollment(db, ACTOR, client.id, _create(due_at=explicit)).due_at == (
        explicit
    )


def test_templates_supply_the_content(db: Session, factories: Factories) -> None:
    setup = clinic(factories)
    client = setup.enroll(factories)
    template = service.create_template(
        db,
        ACTOR,
        HomeworkTemplateCreate(
            title="HALT check", instructions="Hungry, angry, lonely, tired?", category="other"
        ),
    )
    from_template = service.assign_to_enrollment(
        db, ACTOR, client.id, HomeworkCreate(template_id=template.id)
    )
    assert (from_template.title, from_template.instructions, from_template.category) == (
        "HALT check",
        "Hungry, angry, lonely, tired?",
        "other",
    )
    assert from_template.template_id == template.id
    overridden = service.assign_to_enrollment(
        db, ACTOR, client.id, HomeworkCreate(template_id=template.id, title="HALT, twice a day")
    )
    assert (overridden.title, overridden.category) == ("HALT, twice a day", "other")

    with pytest.raises(InvalidInput) as raised:
        service.assign_to_enrollment(db, ACTOR, client.id, HomeworkCreate(title="No category"))
    assert raised.value.errors and raised.value.errors[0].loc == ["body", "category"]
    with pytest.raises(InvalidInput) as raised:
        service.assign_to_enrollment(db, ACTOR, client.id, HomeworkCreate(template_id=uuid.uuid4()))
    assert raised.value.errors and raised.value.errors[0].loc == ["body", "template_id"]
    listed = service.list_templates(db, PageParams(), category=None)
    assert template.id in {t.id for t in listed.items}


def test_only_active_enrollments_get_homework(db: Session, factories: Factories) -> None:
    setup = clinic(factories)
    held = setup.enroll(factories, status=EnrollmentStatus.on_hold)
    with pytest.raises(EnrollmentNotActive):
        service.assign_to_enrollment(db, ACTOR, held.id, _create())
    with pytest.raises(EnrollmentNotFound):
        service.assign_to_enrollment(db, ACTOR, uuid.uuid4(), _create())


def test_missed_is_derived_and_filterable(
    db: Session, factories: Factories, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup = clinic(factories)
    client = setup.enroll(factories)
    due = NOW + timedelta(hours=1)
    open_one = service.assign_to_enrollment(db, ACTOR, client.id, _create(due_at=due))
    handed_in = service.assign_to_enrollment(db, ACTOR, client.id, _create(due_at=due))
    service.submit_homework(db, ACTOR, handed_in.id, "Wrote three triggers")
    assert open_one.read_status == HomeworkReadStatus.assigned

    freeze(monkeypatch, due + timedelta(minutes=1))
    assert open_one.read_status == HomeworkReadStatus.missed
    assert open_one.status == HomeworkStatus.assigned  # never stored

    def ids(status: HomeworkReadStatus) -> set[uuid.UUID]:
        page = service.list_homework(
            db, ACTOR, PageParams(), enrollment_id=client.id, status=status
        )
        return {item.id for item in page.items}

    assert ids(HomeworkReadStatus.missed) == {open_one.id}
    assert ids(HomeworkReadStatus.assigned) == set()
    assert ids(HomeworkReadStatus.submitted) == {handed_in.id}
    listed = service.list_homework(db, ACTOR, PageParams(), enrollment_id=client.id)
    assert {(i.id, i.status) for i in listed.items} == {
        (open_one.id, HomeworkReadStatus.missed),
        (handed_in.id, HomeworkReadStatus.submitted),
    }

    # Submitting late is allowed, and flagged.
    late = service.submit_homework(db, ACTOR, open_one.id, "Sorry, late")
    assert late.read_status == HomeworkReadStatus.submitted
    assert late.submitted_late and not handed_in.submitted_late


def test_submit_and_review_flow(db: Session, factories: Factories) -> None:
    setup = clinic(factories)
    client = setup.enroll(factories)
    reviewer = factories.user("clinician")
    actor = Actor("user", reviewer.id, "clinician")
    homework = service.assign_to_enrollment(
        db, ACTOR, client.id, _create(due_at=NOW + timedelta(days=1))
    )
    with pytest.raises(HomeworkNotSubmitted):
        service.review_homework(
            db, actor, homework.id, HomeworkReview(feedback="?", outcome=ReviewOutcome.accepted)
        )

    service.submit_homework(db, ACTOR, homework.id, "First try")
    with pytest.raises(HomeworkHandedIn):
        service.submit_homework(db, ACTOR, homework.id, "Again")
    with pytest.raises(HomeworkHandedIn):
        service.update_homework(db, ACTOR, homework.id, HomeworkUpdate(title="Changed"))

    sent_back = service.review_homework(
        db,
        actor,
        homework.id,
        HomeworkReview(feedback="Add what you did instead", outcome="needs_revision"),
    )
    assert sent_back.read_status == HomeworkReadStatus.assigned
    assert (sent_back.feedback, sent_back.review_outcome) == (
        "Add what you did instead",
        ReviewOutcome.needs_revision,
    )
    assert sent_back.response == "First try"
    # Back with the client: it can be edited again, then handed in again.
    service.update_homework(db, ACTOR, homework.id, HomeworkUpdate(due_at=NOW + timedelta(days=2)))
    service.submit_homework(db, ACTOR, homework.id, "Second try, with alternatives")
    accepted = service.review_homework(
        db, actor, homework.id, HomeworkReview(feedback="Well done", outcome="accepted")
    )
    assert accepted.read_status == HomeworkReadStatus.reviewed
    assert accepted.reviewed_by_id == reviewer.id
    assert (accepted.response, accepted.feedback) == ("Second try, with alternatives", "Well done")
    with pytest.raises(HomeworkNotSubmitted):
        service.review_homework(
            db, actor, homework.id, HomeworkReview(feedback="x", outcome="accepted")
        )
    assert audit_count(db, "homework.review") == 2
    assert audit_count(db, "homework.submit") == 2
    with pytest.raises(HomeworkNotFound):
        service.submit_homework(db, ACTOR, uuid.uuid4(), "x")


def test_revision_past_due_is_not_missed(
    db: Session, factories: Factories, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = clinic(factories).enroll(factories)
    homework = service.assign_to_enrollment(
        db, ACTOR, client.id, _create(due_at=NOW + timedelta(hours=1))
    )
    service.submit_homework(db, ACTOR, homework.id, "Done")
    freeze(monkeypatch, NOW + timedelta(days=1))
    service.review_homework(
        db, ACTOR, homework.id, HomeworkReview(feedback="More detail", outcome="needs_revision")
    )
    assert homework.read_status == HomeworkReadStatus.assigned
    page = service.list_homework(
        db, ACTOR, PageParams(), enrollment_id=client.id, status=HomeworkReadStatus.missed
    )
    assert page.items == []


def test_update_refuses_nulls(db: Session, factories: Factories) -> None:
    client = clinic(factories).enroll(factories)
    homework = service.assign_to_enrollment(db, ACTOR, client.id, _create())
    updated = service.update_homework(
        db, ACTOR, homework.id, HomeworkUpdate(title="Journal: evenings", instructions="Each night")
    )
    assert (updated.title, updated.instructions) == ("Journal: evenings", "Each night")
    with pytest.raises(ValidationError):
        HomeworkUpdate.model_validate({"due_at": None})


def test_assign_to_everyone_who_attended(db: Session, factories: Factories) -> None:
    from homeward.sessions.attendance import record_attendance

    setup = clinic(factories)
    present, late, left, excused, absent, discharged = (setup.enroll(factories) for _ in range(6))
    roster = [present, late, left, excused, absent, discharged]
    group = factories.session(setup.program, NOW - timedelta(hours=4), roster=roster)
    following = factories.session(setup.program, NOW + timedelta(days=1), roster=[present, late])
    statuses = [
        ("present", None),
        ("late", 150),
        ("left_early", 60),
        ("absent_excused", None),
        ("absent_unexcused", None),
        ("present", None),
    ]
    record_attendance(
        db,
        ACTOR,
        group.id,
        [
            AttendanceWrite(enrollment_id=e.id, status=AttendanceStatus(s), minutes_attended=m)
            for e, (s, m) in zip(roster, statuses, strict=True)
        ],
    )
    discharged.status = EnrollmentStatus.discharged
    db.flush()

    created = service.assign_to_attendees(db, ACTOR, group.id, _create())

    assert {h.enrollment_id for h in created} == {present.id, late.id, left.id}
    assert all(h.session_id == group.id and h.title == "Trigger journal" for h in created)
    due = {h.enrollment_id: h.due_at for h in created}
    assert due[present.id] == due[late.id] == following.starts_at
    assert due[left.id] == datetime(2026, 3, 3, 15, tzinfo=UTC)  # tomorrow 09:00 CST
    assert audit_count(db, "homework.assign") == 1

    nobody = factories.session(setup.program, NOW - timedelta(days=1), roster=[absent])
    db.add(
        Attendance(
            session_id=nobody.id,
            enrollment_id=absent.id,
            status=AttendanceStatus.absent_unexcused,
        )
    )
    db.flush()
    with pytest.raises(NoAttendees):
        service.assign_to_attendees(db, ACTOR, nobody.id, _create())


def test_caseload_and_due_range(db: Session, factories: Factories) -> None:
    setup = clinic(factories)
    me = factories.user("clinician")
    mine = setup.enroll(factories, primary_clinician_id=me.id)
    theirs = setup.enroll(factories)
    early = service.assign_to_enrollment(
        db, ACTOR, mine.id, _create(due_at=NOW + timedelta(days=1))
    )
    late = service.assign_to_enrollment(db, ACTOR, mine.id, _create(due_at=NOW + timedelta(days=5)))
    service.assign_to_enrollment(db, ACTOR, theirs.id, _create(due_at=NOW + timedelta(days=1)))
    actor = Actor("user", me.id, "clinician")

    caseload = service.list_homework(db, actor, PageParams(), caseload="mine")
    assert [h.id for h in caseload.items] == [early.id, late.id]
    ranged = service.list_homework(
        db,
        actor,
        PageParams(),
        caseload="mine",
        due_from=NOW + timedelta(days=2),
        due_to=datetime.combine(date(2026, 3, 8), datetime.min.time(), UTC),
    )
    assert [h.id for h in ranged.items] == [late.id]
    assert audit_count(db, "homework.list") == 2
