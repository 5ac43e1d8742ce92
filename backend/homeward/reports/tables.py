"""Reports as flat CSV tables: one header row, one row per phase or program, then overall."""

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from homeward.reports.schemas import CensusReport, OutcomeFigures, OutcomesReport

CENSUS_COLUMNS = (
    "scope",
    "program_id",
    "program_name",
    "phase_id",
    "phase_name",
    "phase_order",
    "active",
    "on_hold",
    "capacity",
    "capacity_used",
    "capacity_used_percent",
)
REASONS = (
    "completed",
    "against_medical_advice",
    "administrative",
    "transferred_to_higher_level",
    "other",
)
OUTCOME_COLUMNS = (
    "scope",
    "program_id",
    "program_name",
    "from",
    "to",
    "completions",
    "discharges",
    *(f"discharged_{reason}" for reason in REASONS),
    "average_length_of_stay_days",
    "enrollments_in_care",
    "enrollments_with_relapse",
    "relapse_share",
    "homework_due",
    "homework_submitted",
    "homework_completion_rate",
)
# A cell a spreadsheet would run as a formula (CSV injection) gets a leading quote.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def render(columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: _cell(row.get(column)) for column in columns})
    return buffer.getvalue()


def census_csv(report: CensusReport) -> str:
    rows: list[dict[str, Any]] = []
    for program in report.programs:
        named = {"program_id": program.program_id, "program_name": program.program_name}
        for phase in program.phases:
            rows.append(
                {
                    "scope": "phase",
                    **named,
                    "phase_id": phase.phase_id,
                    "phase_name": phase.phase_name,
                    "phase_order": phase.order,
                    "active": phase.active,
                    "on_hold": phase.on_hold,
                }
            )
        figures = program.model_dump(exclude={"phases", "program_id", "program_name"})
        rows.append({"scope": "program", **named, **figures})
    rows.append({"scope": "overall", **report.overall.model_dump()})
    return render(CENSUS_COLUMNS, rows)


def _outcome_cells(figures: OutcomeFigures) -> dict[str, Any]:
    cells = figures.model_dump(exclude={"discharges_by_reason"})
    reasons = figures.discharges_by_reason.model_dump()
    cells.update({f"discharged_{reason}": reasons[reason] for reason in REASONS})
    return cells


def outcomes_csv(report: OutcomesReport) -> str:
    period = {"from": report.from_, "to": report.to}
    rows: list[dict[str, Any]] = [
        {
            "scope": "program",
            "program_id": program.program_id,
            "program_name": program.program_name,
            **period,
            **_outcome_cells(program),
        }
        for program in report.programs
    ]
    rows.append({"scope": "overall", **period, **_outcome_cells(report.overall)})
    return render(OUTCOME_COLUMNS, rows)
