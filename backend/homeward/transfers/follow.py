"""A transfer follows the enrollment it became: admitted, then completed or discharged.

Whatever moves such an enrollment (an action by hand, tapering's approved or automatic
change) ends here, in its own transaction: the transfer takes the enrollment's status,
with the length of stay at the end, and the partner's `enrollment.*` webhook is queued,
gated on the patient's `status_updates` consent. Set-based, so a cohort's automatic
changes cost the same few statements as one enrollment's.
"""

import uuid
from collections.abc import Collection
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from homeward import clock
from homeward.enrollments.models import Enrollment, EnrollmentStatus
from homeward.transfers.events import announcement
from homeward.transfers.models import AFTER_ACCEPTANCE, Transfer, TransferStatus
from homeward.webhooks import outbox

# The transfer status each enrollment status is told as; the others (pending, on hold)
# leave the transfer where it is.
FOLLOWS: dict[EnrollmentStatus, TransferStatus] = {
    EnrollmentStatus.active: TransferStatus.admitted,
    EnrollmentStatus.completed: TransferStatus.completed,
    EnrollmentStatus.discharged: TransferStatus.discharged,
}


def _stay(admitted_on: date | None, ended_on: date | None) -> dict[str, object]:
    return {
        "admitted_on": admitted_on.isoformat() if admitted_on else None,
        "ended_on": ended_on.isoformat() if ended_on else None,
        "length_of_stay_days": (ended_on - admitted_on).days if admitted_on and ended_on else None,
    }


def follow_enrollments(db: Session, enrollment_ids: Collection[uuid.UUID]) -> list[Transfer]:
    """Bring the transfers of these enrollments in line with them, and announce each move.

    Reads the enrollments' columns rather than their objects: a set-based change
    (tapering's automatic one) writes them past the ORM, so loaded objects may be stale.
    Returns the transfers moved.
    """
    if not enrollment_ids:
        return []
    rows = db.execute(
        select(
            Transfer,
            Enrollment.status,
            Enrollment.admitted_on,
            Enrollment.completed_on,
            Enrollment.discharged_on,
        )
        .join(Enrollment, Enrollment.id == Transfer.enrollment_id)
        .where(Transfer.enrollment_id.in_(set(enrollment_ids)))
    ).all()
    moves: dict[TransferStatus, list[uuid.UUID]] = {}
    stays: list[tuple[Transfer, dict[str, object]]] = []
    for transfer, status, admitted_on, completed_on, discharged_on in rows:
        to_status = FOLLOWS.get(status)
        # A transfer never accepted has nothing to follow.
        if to_status is None or to_status == transfer.status:
            continue
        if transfer.status not in AFTER_ACCEPTANCE:
            continue
        moves.setdefault(to_status, []).append(transfer.id)
        stays.append((transfer, _stay(admitted_on, completed_on or discharged_on)))
    now = clock.now()
    for to_status, ids in moves.items():  # one statement per status followed, at most three
        db.execute(
            update(Transfer)
            .where(Transfer.id.in_(ids))
            .values(status=to_status, updated_at=now)
            # The loaded transfers take the new status too, so the events announce it.
            .execution_options(synchronize_session="evaluate")
        )
    outbox.enqueue_many(
        db,
        [announcement(t, f"enrollment.{t.status.value}", stay) for t, stay in stays],
    )
    return [transfer for transfer, _ in stays]
