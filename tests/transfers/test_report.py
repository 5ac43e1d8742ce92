"""The intake report: median and 90th percentile time to first response, share within 24 h."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session

from homeward import clock
from homeward.transfers.models import Transfer
from tests.factories import Factories, StaffClient
from tests.transfers.helpers import new_partner

NOW = datetime(2026, 6, 10, 12, tzinfo=UTC)


@pytest.fixture
def answered_in(
    app: FastAPI, factories: Factories, db: Session, monkeypatch: pytest.MonkeyPatch
) -> list[float | None]:
    """Ten transfers received on 1 June, answered after these many hours (None: not yet)."""
    monkeypatch.setattr(clock, "now", lambda: NOW)
    partner = new_partner(app, factories)
    hours: list[float | None] = [1, 2, 3, 4, 5, 6, 10, 20, 30, None]
    received = datetime(2026, 6, 1, 9, tzinfo=UTC)
    for wait in hours:
        transfer_id = partner.submit().json()["id"]
        transfer = db.get(Transfer, uuid.UUID(transfer_id))
        assert transfer is not None
        transfer.created_at = received
        transfer.first_response_at = None if wait is None else received + timedelta(hours=wait)
    db.flush()
    return hours


def test_the_intake_report(admin: StaffClient, answered_in: list[float | None]) -> None:
    response = admin.get(
        "/api/v1/reports/intake", params={"from": "2026-06-01", "to": "2026-06-01"}
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "transfers": 10,
        "answered": 9,
        "median_hours_to_first_response": 5.0,
        "p90_hours_to_first_response": 30.0,
        # 8 of the 10 were answered within 24 hours; the unanswered one counts as late.
        "answered_within_24h_share": 0.8,
    }
    csv = admin.get(
        "/api/v1/reports/intake",
        params={"from": "2026-06-01", "to": "2026-06-01"},
        headers={"Accept": "text/csv"},
    )
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[1] == "2026-06-01,2026-06-01,10,9,5.0,30.0,0.8"


def test_an_empty_range_has_no_figures(admin: StaffClient) -> None:
    body = admin.get("/api/v1/reports/intake", params={"from": "2020-01-01", "to": "2020-01-02"})
    assert body.json()["median_hours_to_first_response"] is None
    bad = admin.get("/api/v1/reports/intake", params={"from": "2020-01-03", "to": "2020-01-02"})
    assert bad.status_code == 422
