"""`local_day` gives the same dates on both databases, DST and day boundaries included."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import literal, select
from sqlalchemy.orm import Session

from homeward.db import UTCDateTime
from homeward.zones import local_day


@pytest.mark.parametrize(
    ("instant", "zone", "day"),
    [
        (datetime(2026, 2, 26, 0, tzinfo=UTC), "America/Chicago", date(2026, 2, 25)),
        (datetime(2026, 2, 26, 5, 59, tzinfo=UTC), "America/Chicago", date(2026, 2, 25)),
        (datetime(2026, 2, 26, 6, 0, tzinfo=UTC), "America/Chicago", date(2026, 2, 26)),
        # Summer time in Chicago: midnight is at 05:00 UTC.
        (datetime(2026, 7, 1, 5, 0, tzinfo=UTC), "America/Chicago", date(2026, 7, 1)),
        (datetime(2026, 3, 3, 20, 0, tzinfo=UTC), "Pacific/Auckland", date(2026, 3, 4)),
        (datetime(2026, 3, 3, 20, 0, tzinfo=UTC), "UTC", date(2026, 3, 3)),
    ],
)
def test_the_local_day_of_an_instant(db: Session, instant: datetime, zone: str, day: date) -> None:
    found = db.scalar(select(local_day(literal(instant, UTCDateTime()), literal(zone))))
    assert date.fromisoformat(str(found)) == day
