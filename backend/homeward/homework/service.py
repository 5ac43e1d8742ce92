"""Homework: templates, assigning, and the assigned → submitted → reviewed flow."""

import uuid
from datetime import datetime
from typing import Literal

from sqlalchemy import Select, insert, not_, select
from sqlalchemy.orm import Session

from homeward import clock
from homeward.audit.service import Actor, record
from homeward.enrollments.models import Enrollment, EnrollmentStatus
from homeward.errors import InvalidInput
from homeward.homework.due import default_due_times
from homeward.homework.exceptions import (
    EnrollmentNotActive,
    EnrollmentNotFound,
    HomeworkHandedIn,
    HomeworkNotFound,
    HomeworkNotSubmitted,
    NoAttendees,
)
from homeward.homework.models import (
    Homework,
    HomeworkCategory,
    HomeworkReadStatus,
    HomeworkStatus,
    HomeworkTemplate,
    ReviewOutcome,
    missed_clause,
)
from homeward.homework.schemas import (
    HomeworkCreate,
    HomeworkRead,
    HomeworkReview,
    HomeworkTemplateCreate,
    HomeworkTemplateRead,
    HomeworkUpdate,
)
from homeward.pagination import Page, PageParams, paginate, paginate_about_patients
from homeward.programs.models import Program
from homeward.sessions.exceptions import SessionNotFound
from homeward.sessions.models import ATTENDED, Attendance, TreatmentSession

# Templates


def list_templates(
    db: Session,
    params: PageParams,
    *,
    category: HomeworkCategory | None = None,
    include_archived: bool = False,
) -> Page[HomeworkTemplateRead]:
    statement = select(HomeworkTemplate)
    if category is not None:
        statement = statement.where(HomeworkTemplate.category == category)
    if not include_archived:
        statement = statement.where(HomeworkTemplate.archived.is_(False))
    return paginate(
        db,
        statement,
        [HomeworkTemplate.title, HomeworkTemplate.id],
        params,
        read_as=HomeworkTemplateRead,
    )


def create_template(db: Session, actor: Actor, data: HomeworkTemplateCreate) -> HomeworkTemplate:
    template = HomeworkTemplate(**data.model_dump())
    db.add(template)
    db.flush()
    record(db, actor, "homework_template.create", "homework_template", template.id)
    return template


# Assigning


def _content(db: Session, data: HomeworkCreate) -> dict[str, object]:
    """Title, instructions and category: the template's, overridden by what the body says."""
    values: dict[str, object] = {"template_id": data.template_id}
    if data.template_id is not None:
        template = db.get(HomeworkTemplate, data.template_id)
        if template is None or template.archived:
            raise InvalidInput.at(["body", "template_id"], "no such homework template")
        values |= {
            "title": template.title,
            "instructions": template.instructions,
            "category": template.category,
        }
    for field in ("title", "instructions", "category"):
        value = getattr(data, field)
        if value is not None:
            values[field] = value
    for field in ("title", "category"):
        if field not in values:
            raise InvalidInput.at(["body", field], f"give a {field}, or a template_id")
    values.setdefault("instructions", "")
    return values


def _active_enrollment(db: Session, enrollment_id: uuid.UUID) -> Enrollment:
    enrollment = db.get(Enrollment, enrollment_id)
    if enrollment is None:
        raise EnrollmentNotFound()
    if enrollment.status != EnrollmentStatus.active:
        raise EnrollmentNotActive(f"The enrollment is {enrollment.status.value}")
    return enrollment


def _timezone(db: Session, program_id: uuid.UUID) -> str:
    timezone = db.scalar(select(Program.timezone).where(Program.id == program_id))
    assert timezone is not None, "an enrollment's program always exists"
    return timezone


def assign_to_enrollment(
    db: Session, actor: Actor, enrollment_id: uuid.UUID, data: HomeworkCreate
) -> Homework:
    enrollment = _active_enrollment(db, enrollment_id)
    content = _content(db, data)
    now = clock.now()
    due_at = data.due_at
    if due_at is None:
        timezone = _timezone(db, enrollment.program_id)
        due_at = default_due_times(db, [enrollment.id], timezone, now)[enrollment.id]
    homework = Homework(
        enrollment_id=enrollment.id,
        assigned_at=now,
        assigned_by_id=actor.id,
        due_at=due_at,
        **content,
    )
    db.add(homework)
    db.flush()
    record(
        db,
        actor,
        "homework.assign",
        "homework",
        homework.id,
        patient_id=enrollment.patient_id,
        detail={"enrollment_id": str(enrollment.id)},
    )
    return homework


def assign_to_attendees(
    db: Session, actor: Actor, session_id: uuid.UUID, data: HomeworkCreate
) -> list[Homework]:
    """The same homework for every active enrollment that attended (present, late, left early).

    A fixed number of statements whatever the number of attendees.
    """
    session = db.get(TreatmentSession, session_id)
    if session is None:
        raise SessionNotFound()
    content = _content(db, data)
    attendees = list(
        db.scalars(
            select(Attendance.enrollment_id)
            .join(Enrollment, Enrollment.id == Attendance.enrollment_id)
            .where(
                Attendance.session_id == session.id,
                Attendance.status.in_(ATTENDED),
                Enrollment.status == EnrollmentStatus.active,
            )
            .order_by(Attendance.enrollment_id)
        )
    )
    if not attendees:
        raise NoAttendees("Record attendance first: nobody active attended this session")
    now = clock.now()
    due = (
        dict.fromkeys(attendees, data.due_at)
        if data.due_at is not None
        else default_due_times(db, attendees, _timezone(db, session.program_id), now)
    )
    rows = [
        {
            "id": uuid.uuid4(),
            "enrollment_id": enrollment_id,
            "session_id": session.id,
            "assigned_at": now,
            "assigned_by_id": actor.id,
            "due_at": due[enrollment_id],
            "status": HomeworkStatus.assigned,
            **content,
        }
        for enrollment_id in attendees
    ]
    db.execute(insert(Homework).values(rows))
    ids = [row["id"] for row in rows]
    record(
        db,
        actor,
        "homework.assign",
        "session",
        session.id,
        detail={"count": len(rows), "enrollment_ids": [str(e) for e in attendees]},
    )
    return list(
        db.scalars(select(Homework).where(Homework.id.in_(ids)).order_by(Homework.enrollment_id))
    )


# Reading


def list_homework(
    db: Session,
    actor: Actor,
    params: PageParams,
    *,
    enrollment_id: uuid.UUID | None = None,
    status: HomeworkReadStatus | None = None,
    due_from: datetime | None = None,
    due_to: datetime | None = None,
    caseload: Literal["mine"] | None = None,
) -> Page[HomeworkRead]:
    now = clock.now()
    statement: Select[Homework, uuid.UUID] = select(Homework, Enrollment.patient_id).join(
        Enrollment, Enrollment.id == Homework.enrollment_id
    )
    if enrollment_id is not None:
        statement = statement.where(Homework.enrollment_id == enrollment_id)
    if status == HomeworkReadStatus.missed:
        statement = statement.where(missed_clause(now))
    elif status == HomeworkReadStatus.assigned:
        statement = statement.where(
            Homework.status == HomeworkStatus.assigned, not_(missed_clause(now))
        )
    elif status is not None:
        statement = statement.where(Homework.status == HomeworkStatus(status.value))
    if due_from is not None:
        statement = statement.where(Homework.due_at >= due_from)
    if due_to is not None:
        statement = statement.where(Homework.due_at < due_to)
    if caseload == "mine":
        statement = statement.where(Enrollment.primary_clinician_id == actor.id)
    page, patient_ids = paginate_about_patients(
        db, statement, [Homework.due_at, Homework.id], params, read_as=HomeworkRead
    )
    record(
        db,
        actor,
        "homework.list",
        "homework",
        detail={"count": len(page.items)},
        patient_ids=patient_ids,
    )
    return page


def _find(db: Session, homework_id: uuid.UUID) -> Homework:
    homework = db.get(Homework, homework_id)
    if homework is None:
        raise HomeworkNotFound()
    return homework


def _patient_id(db: Session, homework: Homework) -> uuid.UUID | None:
    return db.scalar(select(Enrollment.patient_id).where(Enrollment.id == homework.enrollment_id))


def get_homework(db: Session, actor: Actor, homework_id: uuid.UUID) -> Homework:
    homework = _find(db, homework_id)
    record(
        db, actor, "homework.read", "homework", homework.id, patient_id=_patient_id(db, homework)
    )
    return homework


# The flow


def update_homework(
    db: Session, actor: Actor, homework_id: uuid.UUID, data: HomeworkUpdate
) -> Homework:
    homework = _find(db, homework_id)
    if homework.status != HomeworkStatus.assigned:
        raise HomeworkHandedIn("Handed-in homework cannot be changed")
    changes = data.model_dump(exclude_unset=True)
    for field, value in changes.items():
        if value is None:
            raise InvalidInput.at(["body", field], f"{field} cannot be null")
        setattr(homework, field, value)
    db.flush()
    record(
        db,
        actor,
        "homework.update",
        "homework",
        homework.id,
        patient_id=_patient_id(db, homework),
        detail={"changed": sorted(changes)},
    )
    return homework


def submit_homework(db: Session, actor: Actor, homework_id: uuid.UUID, response: str) -> Homework:
    """Record the client's response (staff enter it for now). Late is allowed, and flagged."""
    homework = _find(db, homework_id)
    if homework.status != HomeworkStatus.assigned:
        raise HomeworkHandedIn(f"The homework is already {homework.status.value}")
    homework.status = HomeworkStatus.submitted
    homework.response = response
    homework.submitted_at = clock.now()
    db.flush()
    record(
        db,
        actor,
        "homework.submit",
        "homework",
        homework.id,
        patient_id=_patient_id(db, homework),
        detail={"late": homework.submitted_late},
    )
    return homework


def review_homework(
    db: Session, actor: Actor, homework_id: uuid.UUID, data: HomeworkReview
) -> Homework:
    """Accept it, or send it back (assigned again, feedback kept) to be reworked."""
    homework = _find(db, homework_id)
    if homework.status != HomeworkStatus.submitted:
        raise HomeworkNotSubmitted(f"The homework is {homework.read_status.value}")
    homework.feedback = data.feedback
    homework.review_outcome = data.outcome
    homework.reviewed_at = clock.now()
    homework.reviewed_by_id = actor.id
    homework.status = (
        HomeworkStatus.reviewed
        if data.outcome == ReviewOutcome.accepted
        else HomeworkStatus.assigned
    )
    db.flush()
    record(
        db,
        actor,
        "homework.review",
        "homework",
        homework.id,
        patient_id=_patient_id(db, homework),
        detail={"outcome": data.outcome.value},
    )
    return homework
