"""Writing the recommendations one evaluation makes: one statement however many.

Each row is a JSON object with one-letter keys, holding only what varies from row
to row; the evaluation's date and time are parameters. On PostgreSQL the rows go
as one JSON document that the server unpacks (`json_to_recordset`) and the ids are
the server's: the driver's executemany would adapt every value of every row in
Python, which for a cohort's first evaluation (a third of it gets a
recommendation) costs more than the insert. SQLite takes a Core executemany.
"""

import json
import uuid
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, insert, text

from homeward.db import UTCDateTime
from homeward.progress.metrics import EnrollmentState
from homeward.tapering.apply import fingerprint
from homeward.tapering.engine import Decision
from homeward.tapering.models import Recommendation, RecommendationStatus

_TABLE = cast(Table, Recommendation.__table__)
_APPLIED_NOTE = "applied automatically"

# Row key -> (column, its type as the server reads it from JSON).
_COLUMNS = {
    "e": ("enrollment_id", "uuid"),
    "p": ("program_id", "uuid"),
    "r": ("rule_name", "text"),
    "v": ("rule_set_version", "integer"),
    "a": ("action", "text"),
    "m": ("mode", "text"),
    "f": ("from_phase_id", "uuid"),
    "t": ("proposed_phase_id", "uuid"),
    "d": ("days", "integer"),
    "x": ("evidence", "json"),
    "s": ("status", "text"),
    "k": ("enrollment_fingerprint", "text"),
    "w": ("decided_at", "timestamptz"),
    "n": ("decision_note", "text"),
}

_INSERT_FROM_JSON = text(
    f"""
    INSERT INTO {_TABLE.name} (id, as_of, created_at, {", ".join(c for c, _ in _COLUMNS.values())})
    SELECT gen_random_uuid(), :as_of, :now, {", ".join(_COLUMNS)}
    FROM json_to_recordset(CAST(:rows AS json))
         AS incoming ({", ".join(f"{key} {kind}" for key, (_, kind) in _COLUMNS.items())})
    """
).bindparams(bindparam("now", type_=UTCDateTime()))


class NewRecommendations:
    """The rows an evaluation adds, collected, then written at once."""

    def __init__(self, as_of: date, now: datetime) -> None:
        self.as_of = as_of
        self.now = now
        self.rows: list[dict[str, Any]] = []

    def __len__(self) -> int:
        return len(self.rows)

    def add(
        self,
        decision: Decision,
        state: EnrollmentState,
        version: int,
        status: RecommendationStatus,
    ) -> None:
        row: dict[str, Any] = {
            "e": state.id.hex,
            "p": state.program_id.hex,
            "r": decision.rule.name,
            "v": version,
            "a": decision.action,
            "m": decision.rule.mode,
            "x": decision.evidence,
            "s": status,
            "k": fingerprint(state, decision.action),
        }
        # Keys left out read as NULL.
        if decision.from_phase_id is not None:
            row["f"] = decision.from_phase_id.hex
        if decision.proposed_phase_id is not None:
            row["t"] = decision.proposed_phase_id.hex
        if decision.days is not None:
            row["d"] = decision.days
        if status == RecommendationStatus.applied:
            row["w"] = self.now.isoformat()
            row["n"] = _APPLIED_NOTE
        self.rows.append(row)

    def write(self, connection: Connection) -> None:
        if not self.rows:
            return
        if connection.dialect.name == "postgresql":
            connection.execute(
                _INSERT_FROM_JSON,
                {"rows": json.dumps(self.rows), "as_of": self.as_of, "now": self.now},
            )
            return
        connection.execute(insert(_TABLE), [self._columns(row) for row in self.rows])

    def _columns(self, row: dict[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = {column: None for column, _ in _COLUMNS.values()}
        for key, value in row.items():
            column, kind = _COLUMNS[key]
            if kind == "uuid":
                value = uuid.UUID(hex=value)
            elif kind == "timestamptz":
                value = datetime.fromisoformat(value)
            values[column] = value
        values.update(id=uuid.uuid4(), as_of=self.as_of, created_at=self.now, decided_by_id=None)
        return values
