from datetime import UTC, datetime, timedelta

import pytest

from homeward import clock


class Clock:
    """Time travel without sleeping: every `clock.now()` reads this."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.current = datetime(2026, 5, 4, 9, tzinfo=UTC)
        monkeypatch.setattr(clock, "now", lambda: self.current)

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@pytest.fixture
def travel(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)
