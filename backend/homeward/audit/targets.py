"""What a refused request was aimed at: the resource its path names, and whose data that is.

A denied attempt's event then answers "who tried to read this patient's record", as a
successful read's does, not only "someone was refused this route".
"""

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from homeward.enrollments.models import Enrollment
from homeward.homework.models import Homework
from homeward.sessions.models import RosterEntry
from homeward.tapering.models import Recommendation

_MAX_ID = 64  # the width of `audit_events.resource_id`


@dataclass(frozen=True)
class Target:
    resource_type: str
    resource_id: str | None = None
    patient_id: uuid.UUID | None = None
    # A session's roster: every patient the refused read would have shown.
    patient_ids: list[uuid.UUID] | None = None


def _enrollment_patient(enrollment_id: uuid.UUID) -> Select[Any]:
    return select(Enrollment.patient_id).where(Enrollment.id == enrollment_id)


def _homework_patient(homework_id: uuid.UUID) -> Select[Any]:
    return (
        select(Enrollment.patient_id)
        .join(Homework, Homework.enrollment_id == Enrollment.id)
        .where(Homework.id == homework_id)
    )


def _recommendation_patient(recommendation_id: uuid.UUID) -> Select[Any]:
    return (
        select(Enrollment.patient_id)
        .join(Recommendation, Recommendation.enrollment_id == Enrollment.id)
        .where(Recommendation.id == recommendation_id)
    )


def _roster_patients(session_id: uuid.UUID) -> Select[Any]:
    return (
        select(Enrollment.patient_id)
        .join(RosterEntry, RosterEntry.enrollment_id == Enrollment.id)
        .where(RosterEntry.session_id == session_id)
        .order_by(Enrollment.patient_id)
    )


# Path parameters that lead to one patient, the most direct first.
_ONE_PATIENT: dict[str, Callable[[uuid.UUID], Select[Any]]] = {
    "enrollment_id": _enrollment_patient,
    "homework_id": _homework_patient,
    "recommendation_id": _recommendation_patient,
}


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def denied_target(db: Session, path_params: Mapping[str, str]) -> Target:
    """The resource a path names (its last parameter; `endpoint` for a path with none) and
    the patients it holds data of, found with one query at most."""
    if not path_params:
        return Target("endpoint")
    name, value = list(path_params.items())[-1]
    target = Target(name.removesuffix("_id"), str(value)[:_MAX_ID])
    patient_id = _uuid(path_params.get("patient_id"))
    if patient_id is not None:
        return Target(target.resource_type, target.resource_id, patient_id=patient_id)
    for param, statement in _ONE_PATIENT.items():
        key = _uuid(path_params.get(param))
        if key is not None:
            found = db.scalar(statement(key))
            return Target(target.resource_type, target.resource_id, patient_id=found)
    session_id = _uuid(path_params.get("session_id"))
    if session_id is not None:
        roster = list(db.scalars(_roster_patients(session_id)))
        return Target(target.resource_type, target.resource_id, patient_ids=roster)
    return target
