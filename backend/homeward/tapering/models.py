import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, ForeignKeyConstraint, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from homeward.db import Base, UUIDPrimaryKey, str_enum, utcnow


class Action(StrEnum):
    step_down = "step_down"
    step_up = "step_up"
    extend = "extend"
    complete = "complete"
    review = "review"


PHASE_ACTIONS = frozenset({Action.step_down, Action.step_up, Action.complete})


class Mode(StrEnum):
    recommend = "recommend"
    auto = "auto"


class RecommendationStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    dismissed = "dismissed"
    superseded = "superseded"
    applied = "applied"


class TaperingRuleSet(UUIDPrimaryKey, Base):
    """One stored version of a program's rule set; every PUT adds the next version."""

    __tablename__ = "tapering_rule_sets"

    program_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    version: Mapped[int]
    # {"rules": [...]}, exactly as validated by `homeward.tapering.rules.RuleSet`.
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("program_id", "version", name="uq_tapering_rule_sets_program_id_version"),
    )


class Recommendation(UUIDPrimaryKey, Base):
    """What one rule proposed for one enrollment on one evaluation date, with its evidence."""

    __tablename__ = "tapering_recommendations"

    enrollment_id: Mapped[uuid.UUID]
    # Denormalized from the enrollment so the review queue filters without a join. One
    # reference covers both columns: the enrollment exists and is in this program. That
    # is one check per inserted row where two references would make two.
    program_id: Mapped[uuid.UUID]
    rule_name: Mapped[str] = mapped_column(String(100))
    rule_set_version: Mapped[int]
    action: Mapped[Action] = mapped_column(str_enum(Action, 16))
    mode: Mapped[Mode] = mapped_column(str_enum(Mode, 16))
    from_phase_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("phases.id", ondelete="SET NULL")
    )
    proposed_phase_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("phases.id", ondelete="SET NULL")
    )
    days: Mapped[int | None]
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    as_of: Mapped[date]
    status: Mapped[RecommendationStatus] = mapped_column(
        str_enum(RecommendationStatus, 16), default=RecommendationStatus.pending
    )
    # The enrollment's phase, status and end date when this was made: approval of a
    # recommendation whose enrollment has moved on since is refused as stale.
    enrollment_fingerprint: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    decision_note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        ForeignKeyConstraint(
            ["enrollment_id", "program_id"],
            ["enrollments.id", "enrollments.program_id"],
            ondelete="CASCADE",
        ),
        Index("ix_tapering_recommendations_enrollment_id_status", "enrollment_id", "status"),
        Index("ix_tapering_recommendations_program_id_status", "program_id", "status"),
        Index("ix_tapering_recommendations_status_created_at", "status", "created_at"),
    )


class EvaluationRun(Base):
    """The last date each program was evaluated, so the worker runs once a day."""

    __tablename__ = "tapering_evaluation_runs"

    program_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True
    )
    last_evaluated_on: Mapped[date]
    last_run_at: Mapped[datetime] = mapped_column(default=utcnow)
