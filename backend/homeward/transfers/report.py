"""The intake report: how fast transfers are first answered (moved past `received`)."""

import math
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from homeward import clock
from homeward.audit.service import Actor, record
from homeward.transfers.models import Transfer
from homeward.transfers.schemas import IntakeReport

ANSWER_WITHIN = timedelta(hours=24)


def _percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile of sorted `values`."""
    rank = max(math.ceil(share * len(values)), 1)
    return values[rank - 1]


def _median(values: list[float]) -> float:
    middle = len(values) // 2
    if len(values) % 2:
        return values[middle]
    return (values[middle - 1] + values[middle]) / 2


def intake_report(db: Session, actor: Actor, first: date, last: date) -> IntakeReport:
    """Transfers received from `first` to `last` (UTC days, inclusive).

    The share answered within 24 hours counts every transfer whose 24 hours have passed,
    answered or not, and those answered sooner.
    """
    start = datetime.combine(first, time(), UTC)
    end = datetime.combine(last + timedelta(days=1), time(), UTC)
    rows = db.execute(
        select(Transfer.created_at, Transfer.first_response_at).where(
            Transfer.created_at >= start, Transfer.created_at < end
        )
    ).all()
    now = clock.now()
    waits = sorted(
        (answered - received).total_seconds() / 3600
        for received, answered in rows
        if answered is not None
    )
    due = [
        (received, answered)
        for received, answered in rows
        if answered is not None or now - received >= ANSWER_WITHIN
    ]
    in_time = sum(
        1 for received, answered in due if answered and answered - received <= ANSWER_WITHIN
    )
    record(
        db,
        actor,
        "report.intake",
        "report",
        detail={"from": first.isoformat(), "to": last.isoformat()},
    )
    return IntakeReport(
        transfers=len(rows),
        answered=len(waits),
        median_hours_to_first_response=round(_median(waits), 2) if waits else None,
        p90_hours_to_first_response=round(_percentile(waits, 0.9), 2) if waits else None,
        answered_within_24h_share=round(in_time / len(due), 4) if due else None,
    )
