"""Writing the recommendations one evaluation makes: one statement however many.

For a cohort's first evaluation a third of it gets a recommendation; `bulk`
writes them with `COPY` on PostgreSQL.
"""

import uuid
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Connection, Table

from homeward.bulk import insert_rows
from homeward.progress.metrics import EnrollmentState
from homeward.tapering.apply import fingerprint
from homeward.tapering.engine import Decision
from homeward.tapering.models import Recommendation, RecommendationStatus

_TABLE = cast(Table, Recommendation.__table__)
_APPLIED_NOTE = "applied automatically"

# What `add` collects per row, in this order; the evaluation's date and time, and
# the id, are added on writing.
_COLUMNS = (
    "enrollment_id",
    "program_id",
    "rule_name",
    "rule_set_version",
    "action",
    "mode",
    "from_phase_id",
    "proposed_phase_id",
    "days",
    "evidence",
    "status",
    "enrollment_fingerprint",
    "decided_at",
    "decision_note",
)
_WRITTEN = ("id", "as_of", "created_at", *_COLUMNS)


class NewRecommendations:
    """The rows an evaluation adds, collected, then written at once."""

    def __init__(self, as_of: date, now: datetime) -> None:
        self.as_of = as_of
        self.now = now
        self.rows: list[tuple[Any, ...]] = []

    def __len__(self) -> int:
        return len(self.rows)

    def add(
        self,
        decision: Decision,
        state: EnrollmentState,
        version: int,
        status: RecommendationStatus,
        stamp: str | None = None,
    ) -> None:
        """`stamp`: the enrollment's fingerprint for the action, when already known."""
        applied = status == RecommendationStatus.applied
        self.rows.append(
            (
                state.id,
                state.program_id,
                decision.rule.name,
                version,
                decision.action.value,
                decision.rule.mode.value,
                decision.from_phase_id,
                decision.proposed_phase_id,
                decision.days,
                decision.evidence,
                status.value,
                stamp or fingerprint(state, decision.action),
                self.now if applied else None,
                _APPLIED_NOTE if applied else None,
            )
        )

    def write(self, connection: Connection) -> None:
        head = (self.as_of, self.now)
        insert_rows(
            connection, _TABLE, _WRITTEN, [(uuid.uuid4(), *head, *row) for row in self.rows]
        )
