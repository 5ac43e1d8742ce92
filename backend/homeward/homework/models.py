import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, ForeignKey, Index, String, Text, and_
from sqlalchemy.orm import Mapped, mapped_column

from homeward import clock
from homeward.db import Base, Timestamped, UUIDPrimaryKey, str_enum, utcnow


class HomeworkCategory(StrEnum):
    trigger_journal = "trigger_journal"
    coping_skills_practice = "coping_skills_practice"
    reading = "reading"
    meeting_reflection = "meeting_reflection"
    relapse_prevention_plan = "relapse_prevention_plan"
    other = "other"


class HomeworkStatus(StrEnum):
    """Stored states. `missed` is never stored: it is `assigned` read after `due_at`."""

    assigned = "assigned"
    submitted = "submitted"
    reviewed = "reviewed"


class HomeworkReadStatus(StrEnum):
    """The status as read: the stored states plus the derived `missed`."""

    assigned = "assigned"
    missed = "missed"
    submitted = "submitted"
    reviewed = "reviewed"


class ReviewOutcome(StrEnum):
    accepted = "accepted"
    needs_revision = "needs_revision"


class HomeworkTemplate(UUIDPrimaryKey, Timestamped, Base):
    __tablename__ = "homework_templates"

    title: Mapped[str] = mapped_column(String(200))
    instructions: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[HomeworkCategory] = mapped_column(str_enum(HomeworkCategory))
    archived: Mapped[bool] = mapped_column(default=False)


class Homework(UUIDPrimaryKey, Base):
    """An assignment for an enrollment, usually nightly: assigned → submitted → reviewed."""

    __tablename__ = "homework"

    enrollment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("enrollments.id", ondelete="CASCADE")
    )
    template_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("homework_templates.id", ondelete="SET NULL")
    )
    session_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("treatment_sessions.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(String(200))
    instructions: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[HomeworkCategory] = mapped_column(str_enum(HomeworkCategory))
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    assigned_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    due_at: Mapped[datetime]
    status: Mapped[HomeworkStatus] = mapped_column(
        str_enum(HomeworkStatus, 16), default=HomeworkStatus.assigned
    )
    response: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None]
    feedback: Mapped[str | None] = mapped_column(Text)
    review_outcome: Mapped[ReviewOutcome | None] = mapped_column(str_enum(ReviewOutcome, 16))
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    @property
    def read_status(self) -> HomeworkReadStatus:
        if is_missed(self.status, self.due_at, self.submitted_at, clock.now()):
            return HomeworkReadStatus.missed
        return HomeworkReadStatus(self.status.value)

    @property
    def submitted_late(self) -> bool:
        return self.submitted_at is not None and self.submitted_at > self.due_at

    __table_args__ = (
        # Status and submission complete the key so that, on SQLite too, a cohort's
        # homework over a window is read from the index alone.
        Index(
            "ix_homework_enrollment_id_due_at", "enrollment_id", "due_at", "status", "submitted_at"
        ),
        # On PostgreSQL the index carries what the tapering metrics count, so a
        # cohort's homework over a window is read from the index alone.
        Index(
            "ix_homework_due_at",
            "due_at",
            postgresql_include=["enrollment_id", "status", "submitted_at"],
        ),
    )


# `missed`: still assigned, past due, never handed in. Homework sent back for revision is
# assigned again but was handed in, so it does not read as missed while it is reworked.
def is_missed(
    status: HomeworkStatus, due_at: datetime, submitted_at: datetime | None, now: datetime
) -> bool:
    return status == HomeworkStatus.assigned and submitted_at is None and due_at < now


def missed_clause(now: datetime) -> ColumnElement[bool]:
    """`is_missed` in SQL, for filters and counts."""
    return and_(
        Homework.status == HomeworkStatus.assigned,
        Homework.submitted_at.is_(None),
        Homework.due_at < now,
    )
