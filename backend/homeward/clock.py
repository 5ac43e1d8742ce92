"""The one place the application asks for the time, so tests can travel in it."""

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)
