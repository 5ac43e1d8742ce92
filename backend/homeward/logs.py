"""Structured JSON logs, one object a line, with patient data scrubbed out.

Every record of the process (ours, uvicorn's, the libraries') goes through one handler
on the root logger, and its filter (`ScrubPatientData`) runs before anything is
written:

- an exception is written as its traceback's frames (code, never data) and, for each
  exception in the chain, its type and a scrubbed message: no bound parameters, no
  PostgreSQL `DETAIL`/`CONTEXT` lines (`Key (mrn)=(…)`, `Failing row contains (…)`),
  no quoted values (`invalid input syntax for type date: "…"`);
- a message built from arguments is scrubbed the same way;
- `extra` fields are written only when their name is one of `SAFE_FIELDS`, whose
  values the code sets itself (ids, counts, statuses); any other gets `[redacted]`.
"""

import json
import logging
import re
import sys
import traceback
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, TextIO

_RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message"}

# Fields whose values the code writes itself: ids, counts, statuses, durations.
SAFE_FIELDS = frozenset(
    {
        "request_id",
        "method",
        "path",
        "status",
        "duration_ms",
        "error_type",
        "sqlstate",
        "retry_after",
        "sealed",
        "color_message",  # uvicorn's colourless copy of its own message
    }
)
REDACTED = "[redacted]"

_PARAMETERS = re.compile(r"\[parameters: .*?\](?=\s*(?:\n|\(Background|$))", re.DOTALL)
_DRIVER_DETAIL = re.compile(r"^\s*(DETAIL|CONTEXT|WHERE|QUERY):.*$", re.MULTILINE)
# A quoted value: not an apostrophe inside a word ("can't").
_QUOTED = re.compile(r"""(?<![A-Za-z])'[^'\n]*'|"[^"\n]*\"""")
_KEY_VALUES = re.compile(r"=\([^)\n]*\)")
_INPUT_VALUE = re.compile(r"input_value=.*?(?=, input_type=|\]|$)", re.MULTILINE)
_FAILING_ROW = re.compile(r"Failing row contains \(.*?\)", re.DOTALL)
_TOO_LONG = 2000


def scrub(text: str) -> str:
    """`text` without the values a request sent: what a log may keep of a message."""
    text = _PARAMETERS.sub("[parameters hidden]", text)
    text = _DRIVER_DETAIL.sub("", text)
    text = _FAILING_ROW.sub("Failing row contains (?)", text)
    text = _KEY_VALUES.sub("=(?)", text)
    text = _INPUT_VALUE.sub("input_value=?", text)
    text = _QUOTED.sub("'?'", text)
    text = re.sub(r"\n{2,}", "\n", text).strip()
    return text if len(text) <= _TOO_LONG else text[:_TOO_LONG] + " […]"


def _chain(error: BaseException) -> list[BaseException]:
    """The exception and what caused it, oldest first, as Python prints them."""
    chain: list[BaseException] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        chain.append(current)
        seen.add(id(current))
        if current.__cause__ is not None:
            current = current.__cause__
        elif current.__context__ is not None and not current.__suppress_context__:
            current = current.__context__
        else:
            current = None
    return chain[::-1]


def scrubbed_exception(error: BaseException, tb: TracebackType | None = None) -> str:
    """A traceback whose messages are scrubbed; the frames are kept as they are."""
    parts: list[str] = []
    for link in _chain(error):
        own_tb = tb if link is error and tb is not None else link.__traceback__
        frames = traceback.extract_tb(own_tb)
        if parts:
            parts.append("\nwhich led to:\n")
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_list(frames))
        name = type(link).__module__ + "." + type(link).__qualname__
        message = scrub(str(link))
        parts.append(f"{name}: {message}\n" if message else f"{name}\n")
        for note in getattr(link, "__notes__", ()):
            parts.append(scrub(str(note)) + "\n")
    return "".join(parts).rstrip("\n")


class ScrubPatientData(logging.Filter):
    """Takes patient data out of a record before any handler writes it (see module doc)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = scrubbed_exception(record.exc_info[1], record.exc_info[2])
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.args:
            record.msg = scrub(record.getMessage())
            record.args = None
        for key in vars(record).keys() - _RESERVED - SAFE_FIELDS:
            setattr(record, key, REDACTED)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _RESERVED})
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, default=str)


class _StdoutHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever `sys.stdout` is when a record comes (a test may capture it)."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.addFilter(ScrubPatientData())

    @property
    def stream(self) -> TextIO:
        return sys.stdout

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def configure_logging(level: str) -> None:
    """One JSON handler on the root logger; uvicorn's own handlers give way to it.

    uvicorn configures its loggers before it builds the app (`--factory`), so this
    runs after it and wins. Its access log is switched off: `homeward.access` writes
    one line per request already, without the query string.
    """
    root = logging.getLogger()
    root.handlers[:] = [h for h in root.handlers if not isinstance(h, _StdoutHandler)]
    root.addHandler(_StdoutHandler())
    # Libraries speak at WARNING and above, whatever our own level.
    root.setLevel(max(logging.getLevelName(level.upper()), logging.WARNING))
    for name in ("homeward", "uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
        logger.setLevel(level.upper())
    access = logging.getLogger("uvicorn.access")
    access.handlers[:] = []
    access.propagate = False
    access.disabled = True
