"""Every text and number a client sends goes through the shared field types.

The walk starts at the app's routes: each request body model (and the models it
nests), each path and query parameter. A `str` must carry `Text` (which refuses
control characters), and a body's `int` or `float` must be strict (`true` is not a
number). A new field that escapes them fails here, before it fails at the database.
"""

import types
import typing
from collections.abc import Iterator
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Union, get_args, get_origin

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import AfterValidator, BaseModel, Strict
from pydantic.fields import FieldInfo

from homeward.fields import Text, _plausible_day, _to_utc
from homeward.main import create_app
from homeward.settings import Settings


def _leaves(
    annotation: Any, metadata: tuple[Any, ...] = ()
) -> Iterator[tuple[Any, tuple[Any, ...]]]:
    """Each scalar type inside `annotation`, with the metadata that applies to it."""
    origin = get_origin(annotation)
    if origin is Annotated:
        inner, *extra = get_args(annotation)
        yield from _leaves(inner, metadata + tuple(extra))
    elif origin in (Union, types.UnionType):
        for arg in get_args(annotation):
            yield from _leaves(arg, metadata)
    elif origin is typing.Literal:
        return
    elif origin is not None:
        # A container: the metadata (its length) is the container's, not its items'.
        for arg in get_args(annotation):
            yield from _leaves(arg)
    else:
        yield annotation, metadata


def _problems(where: str, annotation: Any, metadata: tuple[Any, ...], body: bool) -> list[str]:
    found: list[str] = []
    for leaf, leaf_metadata in _leaves(annotation, metadata):
        if isinstance(leaf, type) and issubclass(leaf, BaseModel):
            continue  # walked as a model of its own
        if leaf is str and not any(isinstance(m, Text) for m in leaf_metadata):
            found.append(f"{where}: str without Text")
        if body and leaf in (int, float) and not any(isinstance(m, Strict) for m in leaf_metadata):
            found.append(f"{where}: {leaf.__name__} is not strict")
        if leaf in (date, datetime) and not _bounded(leaf_metadata):
            found.append(f"{where}: {leaf.__name__} without the bounds of Day or UTCInstant")
    return found


def _bounded(metadata: tuple[Any, ...]) -> bool:
    checks = {_plausible_day, _to_utc}
    return any(isinstance(m, AfterValidator) and m.func in checks for m in metadata)


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    for leaf, _ in _leaves(annotation):
        if isinstance(leaf, type) and issubclass(leaf, BaseModel):
            yield leaf


def _walk_model(model: type[BaseModel], seen: set[type[BaseModel]]) -> list[str]:
    if model in seen:
        return []
    seen.add(model)
    found: list[str] = []
    for name, field in model.model_fields.items():
        found += _problems(
            f"{model.__name__}.{name}", field.annotation, tuple(field.metadata), True
        )
        for nested in _models_in(field.annotation):
            found += _walk_model(nested, seen)
    return found


def _params(dependant: Dependant) -> Iterator[tuple[str, Any]]:
    for param in [*dependant.path_params, *dependant.query_params]:
        yield param.name, param
    for sub in dependant.dependencies:
        yield from _params(sub)


def _routes(app: FastAPI) -> list[APIRoute]:
    # Included routers stay routers of their own in the app's routes: walk into them.
    found: list[APIRoute] = []
    pending: list[Any] = list(app.routes)
    while pending:
        route = pending.pop()
        if isinstance(route, APIRoute):
            found.append(route)
        included = getattr(route, "original_router", None)
        pending.extend(included.routes if included is not None else [])
    return found


@pytest.fixture(scope="module")
def live_app(settings: Settings) -> FastAPI:
    return create_app(settings)


def test_every_body_field_uses_the_shared_types(live_app: FastAPI) -> None:
    seen: set[type[BaseModel]] = set()
    found: list[str] = []
    for route in _routes(live_app):
        for param in route.dependant.body_params:
            info: FieldInfo = param.field_info
            found += _problems(f"{route.path} body", param.field_info.annotation, (), True)
            for model in _models_in(info.annotation):
                found += _walk_model(model, seen)
    assert len(seen) > 30, "the walk did not reach the request bodies"
    assert found == []


def test_every_path_and_query_text_uses_the_shared_type(live_app: FastAPI) -> None:
    found: list[str] = []
    checked = 0
    for route in _routes(live_app):
        for name, param in _params(route.dependant):
            checked += 1
            where = f"{route.path} {name}"
            found += _problems(
                where, param.field_info.annotation, tuple(param.field_info.metadata), False
            )
            # FastAPI keeps the parameter's own Annotated metadata on the field info.
            if param.field_info.annotation is str and not any(
                isinstance(m, Text) for m in param.field_info.metadata
            ):
                found.append(f"{where}: str without Text")
    assert checked > 50
    assert found == []


def test_enums_are_not_taken_for_free_text() -> None:
    # A StrEnum is a str subclass; the walk must let it through on its own merits.
    class Colour(StrEnum):
        red = "red"

    assert _problems("x", Colour, (), True) == []
    assert _problems("x", str, (), True) == ["x: str without Text"]
    assert _problems("x", Annotated[int, Strict()] | None, (), True) == []
    assert _problems("x", list[Annotated[int, Strict()]], (Strict(),), True) == []
    assert _problems("x", list[int], (Strict(),), True) == ["x: int is not strict"]
