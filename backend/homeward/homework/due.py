"""When homework is due unless the clinician says otherwise."""

import uuid
from collections.abc import Collection
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from homeward.sessions.models import RosterEntry, SessionStatus, TreatmentSession

MORNING = time(9)


def next_morning(timezone: str, now: datetime) -> datetime:
    """09:00 program time on the day after `now` (local), as UTC."""
    tz = ZoneInfo(timezone)
    tomorrow = now.astimezone(tz).date() + timedelta(days=1)
    return datetime.combine(tomorrow, MORNING, tzinfo=tz).astimezone(UTC)


def next_sessions(
    db: Session, enrollment_ids: Collection[uuid.UUID], now: datetime
) -> dict[uuid.UUID, datetime]:
    """Each enrollment's next scheduled session start after `now`, in one query."""
    if not enrollment_ids:
        return {}
    rows = db.execute(
        select(RosterEntry.enrollment_id, func.min(TreatmentSession.starts_at))
        .join(TreatmentSession, TreatmentSession.id == RosterEntry.session_id)
        .where(
            RosterEntry.enrollment_id.in_(list(enrollment_ids)),
            TreatmentSession.status == SessionStatus.scheduled,
            TreatmentSession.starts_at > now,
        )
        .group_by(RosterEntry.enrollment_id)
    )
    return {enrollment_id: starts_at for enrollment_id, starts_at in rows}


def default_due_times(
    db: Session, enrollment_ids: Collection[uuid.UUID], timezone: str, now: datetime
) -> dict[uuid.UUID, datetime]:
    """The start of each enrollment's next session, or else tomorrow 09:00 program time."""
    upcoming = next_sessions(db, enrollment_ids, now)
    fallback = next_morning(timezone, now)
    return {
        enrollment_id: upcoming.get(enrollment_id, fallback) for enrollment_id in enrollment_ids
    }
