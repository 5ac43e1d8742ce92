"""Field types shared by schemas, path and query parameters across domains.

Every text a client sends goes through `Text`, and every integer through `Integer`:
one place decides what a string or a number may be, and a test proves no input
model or parameter escapes them.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import cache
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    GetCoreSchemaHandler,
    PlainSerializer,
    Strict,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError, core_schema

# C0 controls (NUL among them) and lone surrogates: PostgreSQL refuses NUL in text and
# no UTF-8 encoder can write a surrogate, so either would fail at the database.
_SINGLE_LINE_BAD = re.compile(r"[\x00-\x1f\ud800-\udfff]")
# Long text (notes, plans, answers) may hold tab, line feed and carriage return.
_MULTI_LINE_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def _check_characters(value: str, bad: re.Pattern[str], allowed: str) -> str:
    found = bad.search(value)
    if found:
        raise PydanticCustomError(
            "control_character",
            "must not contain control characters{allowed} (found U+{code} at {position})",
            {
                "allowed": allowed,
                "code": f"{ord(found.group()):04X}",
                "position": found.start(),
            },
        )
    return value


def _single_line(value: str) -> str:
    return _check_characters(value, _SINGLE_LINE_BAD, "")


def _multi_line(value: str) -> str:
    return _check_characters(value, _MULTI_LINE_BAD, " other than tab and line breaks")


@dataclass(frozen=True)
class Text:
    """A text field's bounds: `Annotated[str, Text(max_length=200)]`.

    Refuses C0 control characters (tab, CR and LF too, unless `multiline`) and lone
    surrogates, so what is accepted can be stored on either database.
    """

    max_length: int
    min_length: int = 0
    multiline: bool = False
    pattern: str | None = None
    # None follows the model (input models strip); False keeps what was typed (passwords).
    strip_whitespace: bool | None = None

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        schema = core_schema.str_schema(
            min_length=self.min_length or None,
            max_length=self.max_length,
            pattern=self.pattern,
            strip_whitespace=self.strip_whitespace,
        )
        check = _multi_line if self.multiline else _single_line
        return core_schema.no_info_after_validator_function(check, schema)


@dataclass(frozen=True)
class Clearable:
    """Marks an `UpdateModel` field that an explicit null empties: `Annotated[X | None,
    Clearable()]`. Any other field refuses null."""


# A single-line text of any length, for a parameter whose length is bounded elsewhere.
Line = Annotated[str, Text(max_length=1000)]

# An integer in a request body: `true` and `1.0` are not integers.
Integer = Annotated[int, Strict()]
# A number in a request body: `true` is not a number (an integer is).
Number = Annotated[float, Strict()]

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


# The IANA database's geographic areas: a zone is `Area/Location`, or `UTC`. Names
# outside them are the database's backward-compatible aliases (`US/Eastern`, `GB`) or
# files a system keeps beside it (`localtime`, `posixrules`, `Factory`, `posix/...`).
_TIMEZONE_AREAS = frozenset(
    {"Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia"}
    | {"Europe", "Indian", "Pacific", "Etc"}
)


def _known_timezone(value: str) -> str:
    area = value.split("/", 1)[0]
    canonical = value == "UTC" or ("/" in value and area in _TIMEZONE_AREAS)
    if canonical and value in _available_timezones():
        try:
            ZoneInfo(value)
            return value
        except (ZoneInfoNotFoundError, ValueError):
            pass
    raise ValueError(
        f"unknown IANA timezone {value!r}: use an Area/Location name such as "
        "America/Chicago, or UTC"
    )


@cache
def _available_timezones() -> frozenset[str]:
    return frozenset(available_timezones())


Timezone = Annotated[str, Text(max_length=64, min_length=1), AfterValidator(_known_timezone)]


# The dates and times any input may name: far enough back for a date of birth, far enough
# ahead for any plan, and clear of date.min and date.max, so no conversion to local time
# or to UTC, nor a day added, can overflow. Domain rules narrow them (see `plausible`).
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2999, 12, 31)
EARLIEST_INSTANT = datetime.combine(EARLIEST_DAY, time(), UTC)
LATEST_INSTANT = datetime.combine(LATEST_DAY, time.max, UTC)
_RANGE = f"between {EARLIEST_DAY.isoformat()} and {LATEST_DAY.isoformat()}"


def _out_of_range() -> PydanticCustomError:
    return PydanticCustomError("date_out_of_range", "must be {range}", {"range": _RANGE})


def _plausible_day(value: date) -> date:
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise _out_of_range()
    return value


Day = Annotated[date, AfterValidator(_plausible_day)]


def _to_utc(value: datetime) -> datetime:
    # Without an offset, a time is read as UTC. Converting here turns an instant that UTC
    # cannot hold (year 1 with a positive offset) into a 422 rather than a failure later.
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        value = value.astimezone(UTC)
    except OverflowError as error:
        raise _out_of_range() from error
    if not EARLIEST_INSTANT <= value <= LATEST_INSTANT:
        raise _out_of_range()
    return value


UTCInstant = Annotated[datetime, AfterValidator(_to_utc)]

# Domain bounds, narrower than the above; each error names its bound.
#   admission: on or after the program's first day, at most this many days back, never ahead;
#   events, completion, discharge and phase changes: inside the enrollment's span;
#   sessions and homework: inside EARLIEST_DAY..LATEST_DAY, the range schedule generation takes.
ADMISSION_LOOKBACK_DAYS = 365
# The same, for request bodies, where the offset is required.
AwareUTCInstant = Annotated[AwareDatetime, AfterValidator(_to_utc)]
