import uuid
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
    and_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from homeward.db import Base, Timestamped, UUIDPrimaryKey, str_enum, utcnow, utcnow_to_the_second
from homeward.programs.models import SessionType

if TYPE_CHECKING:
    from homeward.enrollments.models import Enrollment


class SessionStatus(StrEnum):
    scheduled = "scheduled"
    cancelled = "cancelled"


class AttendanceStatus(StrEnum):
    present = "present"
    late = "late"
    left_early = "left_early"
    absent_excused = "absent_excused"
    absent_unexcused = "absent_unexcused"


ATTENDED = (AttendanceStatus.present, AttendanceStatus.late, AttendanceStatus.left_early)


class TreatmentSession(UUIDPrimaryKey, Timestamped, Base):
    """One scheduled treatment meeting (`/sessions` in the API)."""

    __tablename__ = "treatment_sessions"

    program_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    # Null for ad-hoc sessions, and once the slot that generated it is deleted.
    slot_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("slots.id", ondelete="SET NULL"))
    session_type: Mapped[SessionType] = mapped_column(str_enum(SessionType))
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    facilitator_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    room: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[SessionStatus] = mapped_column(
        str_enum(SessionStatus, 16), default=SessionStatus.scheduled
    )
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    group_note: Mapped[str | None] = mapped_column(Text)
    group_note_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    roster: Mapped[list["RosterEntry"]] = relationship(
        back_populates="session", cascade="all, delete-orphan"
    )
    attendance: Mapped[list["Attendance"]] = relationship(
        back_populates="session", cascade="all, delete-orphan"
    )

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    __table_args__ = (
        # Generation is idempotent: one session per slot occurrence.
        UniqueConstraint("slot_id", "starts_at", name="uq_treatment_sessions_slot_id_starts_at"),
        Index("ix_treatment_sessions_program_id_starts_at", "program_id", "starts_at"),
        Index("ix_treatment_sessions_facilitator_id_starts_at", "facilitator_id", "starts_at"),
        Index("ix_treatment_sessions_starts_at", "starts_at"),
    )


class RosterEntry(Base):
    """An enrollment expected at a session."""

    __tablename__ = "session_roster"

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("treatment_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    enrollment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("enrollments.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    # To the second, as an audit event's time is, so that the accounting of disclosures
    # can tell which entries a session list saw (`RosterRemoval`).
    added_at: Mapped[datetime] = mapped_column(default=utcnow_to_the_second)

    session: Mapped[TreatmentSession] = relationship(back_populates="roster")
    enrollment: Mapped["Enrollment"] = relationship()


class RosterRemoval(Base):
    """A roster entry that rostering took away: the roster's history.

    A session list's audit event names the sessions it showed; whose data that was is
    read from the rosters as they stood at the time (`sessions/roster_history.py`), so a
    later change to a roster does not hide who was on it. Written by `sync_rosters`,
    the one place that removes entries (sessions are never deleted, only cancelled).
    """

    __tablename__ = "session_roster_removals"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), Identity(), primary_key=True
    )
    session_id: Mapped[uuid.UUID] = mapped_column(index=True)
    # A patient's accounting starts from their enrollments.
    enrollment_id: Mapped[uuid.UUID] = mapped_column(index=True)
    added_at: Mapped[datetime]
    removed_at: Mapped[datetime]


class Attendance(Base):
    """One enrollment's record for one session, which it must be rostered for.

    The key doubles as a reference to the roster entry, so "recorded" is always a
    subset of "rostered" and the metrics can count the two separately.
    """

    __tablename__ = "attendance"
    __table_args__ = (
        # The key carries what the tapering metrics count (PostgreSQL): a window's
        # records are then read from the index alone, session by session, instead of
        # scanning every record ever taken.
        PrimaryKeyConstraint(
            "session_id", "enrollment_id", postgresql_include=["status", "minutes_attended"]
        ),
        ForeignKeyConstraint(
            ["session_id", "enrollment_id"],
            ["session_roster.session_id", "session_roster.enrollment_id"],
        ),
    )

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("treatment_sessions.id", ondelete="CASCADE")
    )
    enrollment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("enrollments.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[AttendanceStatus] = mapped_column(str_enum(AttendanceStatus, 20))
    minutes_attended: Mapped[int] = mapped_column(default=0)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    session: Mapped[TreatmentSession] = relationship(back_populates="attendance")


# The attendance record of a roster entry (if one is recorded): the join every read of
# "who was rostered, and how did they attend" makes.
ROSTER_ATTENDANCE = and_(
    Attendance.session_id == RosterEntry.session_id,
    Attendance.enrollment_id == RosterEntry.enrollment_id,
)


class SessionTally(Base):
    """How many enrollments a session has on its roster, and attendance records for.

    Kept by database triggers on `session_roster` and `attendance` (migration 0014),
    for the session list; the application never writes it. A session with no roster
    yet may have no tally.
    """

    __tablename__ = "session_tallies"

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("treatment_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    rostered: Mapped[int]
    recorded: Mapped[int]
