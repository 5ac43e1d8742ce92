"""Field types shared by schemas across domains."""

import re
from datetime import UTC, datetime, time
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    PlainSerializer,
    WithJsonSchema,
)

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _parse_local_time(value: Any) -> Any:
    if isinstance(value, str):
        if not _HHMM.match(value):
            raise ValueError("use 24-hour HH:MM, for example 09:30")
        hours, minutes = value.split(":")
        return time(int(hours), int(minutes))
    if isinstance(value, time) and value.tzinfo is None:
        return value
    # Not a number of seconds, nor a time with an offset: a local wall-clock time only.
    raise ValueError("use 24-hour HH:MM, for example 09:30")


LocalTime = Annotated[
    time,
    BeforeValidator(_parse_local_time),
    PlainSerializer(lambda value: value.strftime("%H:%M"), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": _HHMM.pattern, "examples": ["09:00"]}),
]


def _known_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown IANA timezone {value!r}, for example America/Chicago") from error
    return value


Timezone = Annotated[str, AfterValidator(_known_timezone)]


def _to_utc(value: datetime) -> datetime:
    # Without an offset, a time is read as UTC. Converting here turns an instant that UTC
    # cannot hold (year 1 with a positive offset) into a 422 rather than a failure later.
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError as error:
        raise ValueError("out of range once converted to UTC") from error


UTCInstant = Annotated[datetime, AfterValidator(_to_utc)]
# The same, for request bodies, where the offset is required.
AwareUTCInstant = Annotated[AwareDatetime, AfterValidator(_to_utc)]
