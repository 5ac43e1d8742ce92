"""An enrollment's story, newest first: status and phase changes, extensions, events
and homework reviews, merged from their own tables in a fixed number of queries."""

import uuid
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from homeward.audit.service import Actor, record
from homeward.enrollments.loading import require_enrollment
from homeward.enrollments.models import (
    ClinicalEvent,
    EnrollmentStatus,
    EventKind,
    Extension,
    PhaseChange,
    StatusChange,
)
from homeward.enrollments.schemas import TimelineItem, TimelineKind
from homeward.homework.models import Homework
from homeward.programs.models import Phase

_STATUS_SUMMARY = {
    EnrollmentStatus.pending: "Enrollment opened",
    EnrollmentStatus.on_hold: "Put on hold",
    EnrollmentStatus.completed: "Completed the program",
    EnrollmentStatus.discharged: "Discharged",
}


_RANK = {kind: rank for rank, kind in enumerate(TimelineKind)}


def _when(on: date, recorded_at: datetime, tz: ZoneInfo) -> datetime:
    """The recorded time when recorded that day; else the start of the day it happened."""
    if recorded_at.astimezone(tz).date() == on:
        return recorded_at
    return datetime.combine(on, time(0), tzinfo=tz).astimezone(UTC)


def _words(value: str) -> str:
    return value.replace("_", " ")


def _with_note(summary: str, note: str) -> str:
    return f"{summary}: {note}" if note else summary


def _status_items(rows: list[StatusChange]) -> list[tuple[datetime, TimelineItem]]:
    items = []
    for change in rows:
        if change.to_status == EnrollmentStatus.active:
            summary = "Admitted" if change.from_status == EnrollmentStatus.pending else "Resumed"
        else:
            summary = _STATUS_SUMMARY[change.to_status]
        item = TimelineItem(
            at=change.occurred_at,
            kind=TimelineKind.status_change,
            summary=_with_note(summary, change.note),
            resource_id=change.id,
            by_id=change.changed_by_id,
            detail={
                "from_status": change.from_status.value if change.from_status else None,
                "to_status": change.to_status.value,
                "note": change.note,
            },
        )
        items.append((change.occurred_at, item))
    return items


def _phase_items(
    rows: list[PhaseChange], names: dict[uuid.UUID, str], tz: ZoneInfo
) -> list[tuple[datetime, TimelineItem]]:
    items = []
    for change in rows:
        to_name = names.get(change.to_phase_id, "a removed phase")
        from_name = names.get(change.from_phase_id) if change.from_phase_id else None
        summary = (
            f"Started in {to_name}"
            if change.from_phase_id is None
            else _with_note(f"Moved from {from_name} to {to_name}", change.reason)
        )
        item = TimelineItem(
            at=_when(change.effective_on, change.created_at, tz),
            kind=TimelineKind.phase_change,
            summary=summary,
            resource_id=change.id,
            by_id=change.changed_by_id,
            detail={
                "from_phase_id": str(change.from_phase_id) if change.from_phase_id else None,
                "from_phase_name": from_name,
                "to_phase_id": str(change.to_phase_id),
                "to_phase_name": to_name,
                "effective_on": change.effective_on.isoformat(),
                "reason": change.reason,
            },
        )
        items.append((change.created_at, item))
    return items


def _extension_items(rows: list[Extension]) -> list[tuple[datetime, TimelineItem]]:
    items = []
    for extension in rows:
        summary = (
            f"Stay extended by {extension.days} days ({_words(extension.reason.value)}) "
            f"to {extension.new_end_on.isoformat()}"
        )
        item = TimelineItem(
            at=extension.created_at,
            kind=TimelineKind.extension,
            summary=_with_note(summary, extension.note),
            resource_id=extension.id,
            by_id=extension.created_by_id,
            detail={
                "days": extension.days,
                "reason": extension.reason.value,
                "note": extension.note,
                "previous_end_on": (
                    extension.previous_end_on.isoformat() if extension.previous_end_on else None
                ),
                "new_end_on": extension.new_end_on.isoformat(),
            },
        )
        items.append((extension.created_at, item))
    return items


def _event_summary(event: ClinicalEvent) -> str:
    if event.kind == EventKind.drug_screen and event.result is not None:
        summary = f"Drug screen {event.result.value}"
    else:
        summary = _words(event.kind.value).capitalize()
    if event.substances:
        summary += f" ({', '.join(event.substances)})"
    return _with_note(summary, event.note)


def _event_items(rows: list[ClinicalEvent], tz: ZoneInfo) -> list[tuple[datetime, TimelineItem]]:
    items = []
    for event in rows:
        item = TimelineItem(
            at=_when(event.occurred_on, event.created_at, tz),
            kind=TimelineKind.event,
            summary=_event_summary(event),
            resource_id=event.id,
            by_id=event.recorded_by_id,
            detail={
                "kind": event.kind.value,
                "occurred_on": event.occurred_on.isoformat(),
                "result": event.result.value if event.result else None,
                "substances": event.substances,
                "note": event.note,
            },
        )
        items.append((event.created_at, item))
    return items


def _homework_items(rows: list[Homework]) -> list[tuple[datetime, TimelineItem]]:
    items = []
    for homework in rows:
        if homework.reviewed_at is None:
            continue
        outcome = homework.review_outcome.value if homework.review_outcome else None
        summary = f"Homework reviewed: {homework.title}"
        if outcome:
            summary += f" ({_words(outcome)})"
        item = TimelineItem(
            at=homework.reviewed_at,
            kind=TimelineKind.homework_review,
            summary=summary,
            resource_id=homework.id,
            by_id=homework.reviewed_by_id,
            detail={"title": homework.title, "outcome": outcome, "feedback": homework.feedback},
        )
        items.append((homework.reviewed_at, item))
    return items


def timeline(db: Session, actor: Actor, enrollment_id: uuid.UUID) -> list[TimelineItem]:
    enrollment = require_enrollment(db, enrollment_id)
    tz = ZoneInfo(enrollment.program.timezone)
    names = dict(
        db.execute(select(Phase.id, Phase.name).where(Phase.program_id == enrollment.program_id))
        .tuples()
        .all()
    )

    statuses = list(
        db.scalars(select(StatusChange).where(StatusChange.enrollment_id == enrollment.id))
    )
    phases = list(db.scalars(select(PhaseChange).where(PhaseChange.enrollment_id == enrollment.id)))
    extensions = list(db.scalars(select(Extension).where(Extension.enrollment_id == enrollment.id)))
    events = list(
        db.scalars(select(ClinicalEvent).where(ClinicalEvent.enrollment_id == enrollment.id))
    )
    reviews = list(
        db.scalars(
            select(Homework).where(
                Homework.enrollment_id == enrollment.id, Homework.reviewed_at.is_not(None)
            )
        )
    )
    merged = [
        *_status_items(statuses),
        *_phase_items(phases, names, tz),
        *_extension_items(extensions),
        *_event_items(events, tz),
        *_homework_items(reviews),
    ]
    # Newest first; on the same instant the later-recorded entry first, and a phase
    # change above the status change that caused it (admission).
    merged.sort(key=lambda pair: (pair[1].at, pair[0], _RANK[pair[1].kind]), reverse=True)
    record(
        db,
        actor,
        "enrollment.timeline.read",
        "enrollment",
        enrollment.id,
        patient_id=enrollment.patient_id,
        detail={"count": len(merged)},
    )
    return [item for _, item in merged]
