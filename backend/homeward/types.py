"""Field types shared by schemas across domains."""

import re
from datetime import time
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BeforeValidator, PlainSerializer, WithJsonSchema

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _parse_local_time(value: Any) -> Any:
    if isinstance(value, str):
        if not _HHMM.match(value):
            raise ValueError("use 24-hour HH:MM, for example 09:30")
        hours, minutes = value.split(":")
        return time(int(hours), int(minutes))
    return value


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
