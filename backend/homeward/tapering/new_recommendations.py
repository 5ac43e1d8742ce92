"""Writing the recommendations one evaluation makes: one statement however many.

On PostgreSQL the rows go through `COPY`: the driver formats each row in C and the
server reads plain text, where an `INSERT` would have the driver adapt every value
in Python (executemany) or the server parse one large JSON document. For a
cohort's first evaluation (a third of it gets a recommendation) either costs more
than storing the rows. SQLite takes a Core executemany.
"""

import json
import uuid
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, insert

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
_COPY = f"COPY {_TABLE.name} ({', '.join(_WRITTEN)}) FROM STDIN"
_EVIDENCE = _COLUMNS.index("evidence")


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
        if not self.rows:
            return
        if connection.dialect.name == "postgresql":
            self._copy(connection)
            return
        connection.execute(
            insert(_TABLE),
            [
                dict(zip(_WRITTEN, (uuid.uuid4(), self.as_of, self.now, *row), strict=True))
                for row in self.rows
            ],
        )

    def _copy(self, connection: Connection) -> None:
        # The driver's own connection: COPY has no SQLAlchemy statement. It is the
        # Session's connection, so the rows join the evaluation's transaction.
        driver = connection.connection.driver_connection
        assert driver is not None
        dumps, before, after = json.dumps, _EVIDENCE, _EVIDENCE + 1
        head = (self.as_of, self.now)
        with driver.cursor() as cursor, cursor.copy(_COPY) as copy:
            for row in self.rows:
                evidence = dumps(row[before])
                copy.write_row((uuid.uuid4(), *head, *row[:before], evidence, *row[after:]))
