"""Who has been on a session's roster, and when: the entries standing now and those
rostering took away (`RosterRemoval`).

A session list's audit event names the sessions it showed; the accounting of
disclosures reads their patients from here as the rosters stood when it was read.
"""

from sqlalchemy import Subquery, null, select, type_coerce, union_all

from homeward.db import UTCDateTime
from homeward.enrollments.models import Enrollment
from homeward.sessions.models import RosterEntry, RosterRemoval


def rostered_patients() -> Subquery:
    """Rows of (`resource_id`: the session, `patient_id`, `stood_from`, `stood_until`),
    `stood_until` null while the entry stands; both times to the second, inclusive."""
    standing = select(
        RosterEntry.session_id.label("resource_id"),
        Enrollment.patient_id,
        RosterEntry.added_at.label("stood_from"),
        type_coerce(null(), UTCDateTime()).label("stood_until"),
    ).join(Enrollment, Enrollment.id == RosterEntry.enrollment_id)
    removed = select(
        RosterRemoval.session_id,
        Enrollment.patient_id,
        RosterRemoval.added_at,
        RosterRemoval.removed_at,
    ).join(Enrollment, Enrollment.id == RosterRemoval.enrollment_id)
    return union_all(standing, removed).subquery("rostered")
