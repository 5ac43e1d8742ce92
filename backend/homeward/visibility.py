"""Which fields of a response each role may read: the one table, and how it is applied.

Routes decide who may call them (`require_roles`); this table decides, within a
response a role may receive, which fields it may not read. A withheld field is sent
as `null`, so every response keeps its model's shape.

The rules, and why:

- **intake** books clients in, manages demographics, contacts and consents, and sees
  schedules and who attended; it reads no clinical notes (the role table of the web
  app: "Clients (no clinical notes)"). Withheld: a session's group note, the note on
  each attendance record, and the reason of each phase change (a clinician's words,
  or a tapering rule's evidence: attendance, relapses). Events, treatment plans,
  the timeline, progress, homework and recommendations are refused to intake whole,
  by their routes.
  Not withheld from intake: the medical profile (intake records it at admission:
  detox status, conditions and medications decide eligibility), an enrollment's
  coded `discharge_reason` (a disposition intake needs for readmission, not a note),
  and a session's `cancel_reason` (scheduling, not care).
- **medical** and **clinician** are the care team: they read every clinical field.
- **admin** reads everything.
- **viewer** is refused every route that carries client data; reports only.

Two mechanisms apply the table, both from here: `redact` for responses built as
models (every route whose response model holds a model below is wrapped, see
`homeward.http.routing`), and `homeward.http.json_pages.PageWriter` for the lists written as
JSON straight from their rows. Both learn whom the response is for from `viewer`,
which signing in sets (`homeward.deps.get_staff`).
"""

import functools
import types
import typing
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from typing import Any

from pydantic import BaseModel

from homeward.auth.models import Role
from homeward.enrollments.schemas import PhaseChangeRead
from homeward.sessions.schemas import AttendanceRead, SessionBase

# Per role, per response model (and the models built on it), the fields withheld.
WITHHELD: Mapping[Role, Mapping[type[BaseModel], frozenset[str]]] = {
    Role.intake: {
        SessionBase: frozenset({"group_note"}),
        AttendanceRead: frozenset({"note"}),
        PhaseChangeRead: frozenset({"reason"}),
    },
}

# The role of the signed-in staff member a response is for; None outside staff requests
# (partners, the worker, the command line), whose responses hold none of these models.
viewer: ContextVar[Role | None] = ContextVar("viewer", default=None)


def _check_table() -> None:
    """Each rule names a field its model has, and that may be null (a withheld field is)."""
    for role, models in WITHHELD.items():
        for model, names in models.items():
            for name in names:
                info = model.model_fields.get(name)
                if info is None:
                    raise TypeError(f"{role}: {model.__name__} has no field {name!r}")
                if type(None) not in typing.get_args(info.annotation):
                    raise TypeError(f"{role}: {model.__name__}.{name} must allow null")


_check_table()


@functools.cache
def withheld(model: type[BaseModel], role: Role | None) -> frozenset[str]:
    """The fields of `model` (by name) that `role` may not read."""
    rules = WITHHELD.get(role) if role is not None else None
    if not rules:
        return frozenset()
    hidden: set[str] = set()
    for ruled, names in rules.items():
        if issubclass(model, ruled):
            hidden |= names
    return frozenset(hidden)


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    """The models an annotation holds: itself, in a list, a union, a dict's values..."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    origin = typing.get_origin(annotation)
    if origin is None and not isinstance(annotation, types.UnionType):
        return
    for arg in typing.get_args(annotation):
        yield from _models_in(arg)


@functools.cache
def _holds_withheld(model: type[BaseModel], role: Role) -> bool:
    return bool(withheld(model, role)) or any(
        _holds_withheld(nested, role)
        for info in model.model_fields.values()
        for nested in _models_in(info.annotation)
        if nested is not model
    )


def may_withhold(annotation: Any) -> bool:
    """Whether a response of this type can hold a field some role may not read."""
    return any(
        _holds_withheld(model, role) for model in _models_in(annotation) for role in WITHHELD
    )


@functools.cache
def _nested(model: type[BaseModel], role: Role) -> tuple[str, ...]:
    """The fields of `model` whose values may hold a withheld field further down."""
    return tuple(
        name
        for name, info in model.model_fields.items()
        if any(_holds_withheld(nested, role) for nested in _models_in(info.annotation))
    )


def _redacted(value: Any, role: Role) -> Any:
    if isinstance(value, BaseModel):
        model = type(value)
        changes: dict[str, Any] = dict.fromkeys(withheld(model, role))
        for name in _nested(model, role):
            changes[name] = _redacted(getattr(value, name), role)
        return value.model_copy(update=changes) if changes else value
    if isinstance(value, list | tuple):
        return [_redacted(item, role) for item in value]
    if isinstance(value, dict):
        return {key: _redacted(item, role) for key, item in value.items()}
    return value


def redact(value: Any, role: Role | None) -> Any:
    """`value` (models, or lists and dicts of them) with what `role` may not read as None."""
    if role is None or role not in WITHHELD:
        return value
    return _redacted(value, role)
