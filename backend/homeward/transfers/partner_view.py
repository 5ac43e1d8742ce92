"""What a partner sees of its transfers, under the patient's consent, and the record of it.

Before acceptance the partner sees the transfer's status and intake's answer: nothing
from the clinic's records. From acceptance on, what it learns comes from the patient's
record, so it is shown only while the patient's `status_updates` consent to this
partner is in force (the weekly attendance summary also needs `attendance`); otherwise
the status reads `consent_required` and nothing more is shown. Each response that does
disclose is recorded in the accounting of disclosures, with the Part 2 notice.
"""

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from homeward import clock
from homeward.disclosures.models import PART2_NOTICE
from homeward.disclosures.service import DisclosureEntry, record_disclosures
from homeward.enrollments.models import Enrollment
from homeward.patients.models import Consent, ConsentScope
from homeward.sessions.models import (
    ATTENDED,
    Attendance,
    RosterEntry,
    SessionStatus,
    TreatmentSession,
)
from homeward.transfers.models import AFTER_ACCEPTANCE, Transfer, TransferStatus
from homeward.transfers.schemas import AttendanceWeek, Decision, Outcome, PartnerTransferRead

# How many recent weeks the attendance summary covers.
ATTENDANCE_WEEKS = 12


def _scopes_in_force(
    db: Session, partner_id: uuid.UUID, patient_ids: set[uuid.UUID], on: date
) -> dict[uuid.UUID, set[str]]:
    """For each patient, the scopes of its consents to `partner_id` in force on `on`."""
    if not patient_ids:
        return {}
    consents = db.scalars(
        select(Consent).where(
            Consent.patient_id.in_(patient_ids), Consent.recipient_partner_id == partner_id
        )
    )
    scopes: dict[uuid.UUID, set[str]] = defaultdict(set)
    for consent in consents:
        if consent.active_on(on):
            scopes[consent.patient_id].update(consent.scopes)
    return scopes


def _enrollments(db: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, Enrollment]:
    if not ids:
        return {}
    return {e.id: e for e in db.scalars(select(Enrollment).where(Enrollment.id.in_(ids)))}


def _attendance(
    db: Session, enrollment_ids: set[uuid.UUID], now_date: date
) -> dict[uuid.UUID, list[AttendanceWeek]]:
    """Per enrollment and week (Monday first, UTC), sessions rostered and attended."""
    if not enrollment_ids:
        return {}
    since = now_date - timedelta(days=now_date.weekday() + 7 * (ATTENDANCE_WEEKS - 1))
    rows = db.execute(
        select(
            RosterEntry.enrollment_id,
            TreatmentSession.starts_at,
            Attendance.status,
        )
        .join(TreatmentSession, TreatmentSession.id == RosterEntry.session_id)
        .outerjoin(
            Attendance,
            (Attendance.session_id == RosterEntry.session_id)
            & (Attendance.enrollment_id == RosterEntry.enrollment_id),
        )
        .where(
            RosterEntry.enrollment_id.in_(enrollment_ids),
            TreatmentSession.status == SessionStatus.scheduled,
            TreatmentSession.ends_at <= clock.now(),
            TreatmentSession.starts_at >= datetime.combine(since, time(), UTC),
        )
    ).all()
    weeks: dict[uuid.UUID, dict[date, list[int]]] = defaultdict(dict)
    for enrollment_id, starts_at, status in rows:
        day = starts_at.date()
        monday = day - timedelta(days=day.weekday())
        counts = weeks[enrollment_id].setdefault(monday, [0, 0])
        counts[1] += 1
        counts[0] += status in ATTENDED
    return {
        enrollment_id: [
            AttendanceWeek(week_starting=w, sessions_attended=a, sessions_rostered=r)
            for w, (a, r) in sorted(by_week.items())
        ]
        for enrollment_id, by_week in weeks.items()
    }


def _outcome(transfer: Transfer, enrollment: Enrollment | None) -> Outcome | None:
    if transfer.status not in (TransferStatus.completed, TransferStatus.discharged):
        return None
    admitted_on = enrollment.admitted_on if enrollment else None
    ended_on = None
    if enrollment is not None:
        ended_on = enrollment.completed_on or enrollment.discharged_on
    stay = (ended_on - admitted_on).days if admitted_on and ended_on else None
    status = "completed" if transfer.status is TransferStatus.completed else "discharged"
    return Outcome(
        status=status, admitted_on=admitted_on, ended_on=ended_on, length_of_stay_days=stay
    )


def _base(transfer: Transfer) -> PartnerTransferRead:
    return PartnerTransferRead(
        id=transfer.id,
        status=transfer.status,
        resident=transfer.resident,
        discharge=transfer.discharge,
        requested_program_id=transfer.requested_program_id,
        preferred_start_date=transfer.preferred_start_date,
        screening=transfer.screening,
        consent=transfer.consent,
        partner_contact=transfer.partner_contact,
        decision=Decision.model_validate(transfer.decision) if transfer.decision else None,
        first_response_at=transfer.first_response_at,
        created_at=transfer.created_at,
        updated_at=transfer.updated_at,
    )


def partner_views(
    db: Session,
    partner_id: uuid.UUID,
    transfers: Sequence[Transfer],
    request_id: str | None = None,
) -> list[PartnerTransferRead]:
    """The partner's view of each transfer, a fixed number of queries for any number."""
    today = clock.now().date()
    accepted = {
        t.id: t.patient_id for t in transfers if t.status in AFTER_ACCEPTANCE and t.patient_id
    }
    scopes = _scopes_in_force(db, partner_id, set(accepted.values()), today)
    in_force = {tid: scopes.get(pid, set()) for tid, pid in accepted.items()}
    shown = [t for t in transfers if ConsentScope.status_updates in in_force.get(t.id, ())]
    enrollments = _enrollments(db, {t.enrollment_id for t in shown if t.enrollment_id})
    with_attendance = {
        t.enrollment_id
        for t in shown
        if t.enrollment_id and ConsentScope.attendance in in_force[t.id]
    }
    attendance = _attendance(db, with_attendance, today)
    shown_ids = {t.id for t in shown}
    views = []
    disclosures: list[DisclosureEntry] = []
    for transfer in transfers:
        view = _base(transfer)
        if transfer.status in AFTER_ACCEPTANCE and transfer.id not in shown_ids:
            view.status = "consent_required"
            view.decision = None
        elif transfer.id in shown_ids:
            assert transfer.patient_id is not None
            enrollment = enrollments.get(transfer.enrollment_id) if transfer.enrollment_id else None
            view.outcome = _outcome(transfer, enrollment)
            disclosed = [ConsentScope.status_updates.value]
            if transfer.enrollment_id in with_attendance:
                view.attendance = attendance.get(transfer.enrollment_id, [])
                disclosed.append(ConsentScope.attendance.value)
            view.notice = PART2_NOTICE
            disclosures.append(
                DisclosureEntry(
                    patient_id=transfer.patient_id,
                    channel="api",
                    summary=_summary(view),
                    scopes=disclosed,
                    transfer_id=transfer.id,
                    consent_id=transfer.consent_id,
                )
            )
        views.append(view)
    # One insert for the whole page, so a page of 200 costs what a page of 2 does.
    record_disclosures(db, partner_id, disclosures, request_id)
    return views


def _summary(view: PartnerTransferRead) -> str:
    parts = [f"transfer status {view.status}"]
    if view.outcome is not None:
        parts.append(f"outcome {view.outcome.status}, {view.outcome.length_of_stay_days} days")
    if view.attendance is not None:
        parts.append(f"attendance for {len(view.attendance)} weeks")
    return "; ".join(parts)
