from typing import Annotated, Any

from fastapi import Header, Query, Response

from homeward.db import DbSession
from homeward.deps import StaffPrincipal, require_roles
from homeward.errors import responses
from homeward.fields import Day
from homeward.http.routing import api_router
from homeward.reports import service, tables
from homeward.reports.exceptions import InvalidReportRange
from homeward.reports.schemas import CensusReport, OutcomesReport
from homeward.transfers import report as transfer_report
from homeward.transfers.schemas import IntakeReport

router = api_router(prefix="/reports", tags=["reports"])

# Reports hold no patient-identifying data, so viewers may read them; intake may not.
ReportReader = Annotated[StaffPrincipal, require_roles("admin", "clinician", "medical", "viewer")]
CSV_MEDIA_TYPE = "text/csv"


def _csv_doc(description: str) -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "description": f"{description} As JSON, or as a flat CSV table with a header row "
            "when the request sends `Accept: text/csv`.",
            "content": {CSV_MEDIA_TYPE: {"schema": {"type": "string"}}},
        }
    }


def wants_csv(accept: str | None) -> bool:
    """Whether `Accept` prefers text/csv to JSON (by q-value; JSON wins a tie)."""
    weights: dict[str, float] = {}
    for part in (accept or "").split(","):
        media_type, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        weights[media_type.lower()] = max(weights.get(media_type.lower(), 0.0), quality)
    csv_weight = weights.get(CSV_MEDIA_TYPE, 0.0)
    json_weight = max(weights.get("application/json", 0.0), weights.get("*/*", 0.0) * 0.99)
    return csv_weight > 0 and csv_weight > json_weight


def _csv(body: str, name: str) -> Response:
    return Response(
        body,
        media_type=f"{CSV_MEDIA_TYPE}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/census", response_model=CensusReport, responses=_csv_doc("The census."))
def census(
    staff: ReportReader, db: DbSession, accept: Annotated[str | None, Header()] = None
) -> CensusReport | Response:
    """Active and on-hold enrollments by program and by phase, and the capacity they use."""
    as_csv = wants_csv(accept)
    report = service.census(db, staff.actor, "csv" if as_csv else "json")
    return _csv(tables.census_csv(report), "census.csv") if as_csv else report


@router.get(
    "/outcomes",
    response_model=OutcomesReport,
    responses={**_csv_doc("The outcomes."), **responses(InvalidReportRange)},
)
def outcomes(
    staff: ReportReader,
    db: DbSession,
    first: Annotated[
        Day | None,
        Query(alias="from", description="First day, inclusive (default: 90 days before `to`)"),
    ] = None,
    last: Annotated[
        Day | None, Query(alias="to", description="Last day, inclusive (default: today)")
    ] = None,
    accept: Annotated[str | None, Header()] = None,
) -> OutcomesReport | Response:
    """Completions, discharges by reason, length of stay, relapses and homework completion.

    Per program and overall, for stays that ended, care given, and homework due
    between `from` and `to` (homework by each program's local days).
    """
    as_csv = wants_csv(accept)
    report = service.outcomes(db, staff.actor, first, last, "csv" if as_csv else "json")
    return _csv(tables.outcomes_csv(report), "outcomes.csv") if as_csv else report


IntakeReportReader = Annotated[
    StaffPrincipal, require_roles("admin", "intake", "clinician", "medical", "viewer")
]


@router.get(
    "/intake",
    response_model=IntakeReport,
    responses={**_csv_doc("The intake report."), **responses(InvalidReportRange)},
)
def intake(
    staff: IntakeReportReader,
    db: DbSession,
    first: Annotated[
        Day | None,
        Query(alias="from", description="First day, inclusive (default: 90 days before `to`)"),
    ] = None,
    last: Annotated[
        Day | None, Query(alias="to", description="Last day, inclusive (default: today)")
    ] = None,
    accept: Annotated[str | None, Header()] = None,
) -> IntakeReport | Response:
    """Time to first response on transfers received between `from` and `to` (UTC days):
    median, 90th percentile, and the share answered within 24 hours."""
    first, last = service.check_range(first, last)
    report = transfer_report.intake_report(db, staff.actor, first, last)
    if not wants_csv(accept):
        return report
    header = ",".join(IntakeReport.model_fields)
    values = ",".join("" if v is None else str(v) for v in report.model_dump().values())
    return _csv(f"from,to,{header}\r\n{first},{last},{values}\r\n", "intake.csv")
