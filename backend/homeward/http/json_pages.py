"""Pages of the busiest lists, written as JSON straight from their rows.

Validating a page of 50 enrollments into models and serializing them again cost more
than the rest of the request together (py-spy: a third of the server's time). Their
rows come from typed columns, so there is nothing to validate: a `PageWriter` picks
each item's fields as its read model declares them, nested models included, and
writes them with orjson in the models' own JSON format (a UTC time ends in `Z`).
`tests/core/test_json_pages.py` holds the two equal on real rows of each such list.

The fields the signed-in role may not read (`homeward.visibility`) are written as null.
"""

import operator
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import BaseModel

from homeward.auth.models import Role
from homeward.visibility import viewer, withheld


@dataclass(frozen=True)
class _Field:
    name: str  # in the row
    key: str  # in the JSON
    nested: "_Shape | None"
    hidden: bool = False  # withheld from the role the shape is for: written as null


def _one(name: str) -> Callable[[Mapping[str, Any]], tuple[Any]]:
    return lambda item: (item[name],)


class _Shape:
    def __init__(self, fields: tuple[_Field, ...]) -> None:
        self.keys = [field.key for field in fields]
        names = [field.name for field in fields]
        # itemgetter of one name returns the value itself, not a 1-tuple.
        self.values = operator.itemgetter(*names) if len(names) > 1 else _one(names[0])
        self.nested = [(field.name, field.key, field.nested) for field in fields if field.nested]
        self.hidden = [field.key for field in fields if field.hidden]
        # Rows already built in the model's shape, under its names, are written as they are.
        self.names = set(names) if self.keys == names and not self.hidden else set()

    def fits(self, rows: Sequence[Mapping[str, Any]]) -> bool:
        """Whether `rows` hold the model's fields and nothing else, nested ones too.

        A page's rows come from one statement, built alike: the first row speaks for
        them all, and the first value present of each nested field for that field.
        """
        if rows and rows[0].keys() != self.names:
            return False
        for name, _, nested in self.nested:
            present = next((row[name] for row in rows if row[name] is not None), None)
            if present is not None and not nested.fits([present]):
                return False
        return True

    def pick(self, item: Mapping[str, Any]) -> dict[str, Any]:
        picked = dict(zip(self.keys, self.values(item), strict=True))
        for _, key, nested in self.nested:
            if picked[key] is not None:
                picked[key] = nested.pick(picked[key])
        for key in self.hidden:
            picked[key] = None
        return picked


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds, alone or as `Model | None`; None for plain values."""
    candidates = [annotation]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        candidates = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
    models = [c for c in candidates if _is_model(c)]
    if models and len(candidates) > 1:
        raise TypeError(f"{annotation}: only a model, or a model or None, can be written")
    for candidate in candidates:
        if any(_is_model(arg) for arg in typing.get_args(candidate)):
            raise TypeError(f"{annotation}: models in a collection are not written here")
    return models[0] if models else None


def _is_model(annotation: Any) -> bool:
    plain_class = isinstance(annotation, type) and typing.get_origin(annotation) is None
    return plain_class and issubclass(annotation, BaseModel)


def _shape(model: type[BaseModel], role: Role | None) -> _Shape:
    fields = []
    hidden = withheld(model, role)
    for name, info in model.model_fields.items():
        nested = _nested_model(info.annotation)
        key = info.serialization_alias or info.alias or name
        fields.append(_Field(name, key, _shape(nested, role) if nested else None, name in hidden))
    return _Shape(tuple(fields))


class PageWriter:
    """Writes `{items, next_cursor}` pages of `model` (or plain arrays, or one item) from
    rows with its fields' names."""

    def __init__(self, model: type[BaseModel]) -> None:
        self.model = model
        # By role: each withholds its own fields (`homeward.visibility`).
        self._shapes = {role: _shape(model, role) for role in (None, *Role)}

    def _items(self, rows: Sequence[Mapping[str, Any]]) -> Sequence[Mapping[str, Any]]:
        shape = self._shapes[viewer.get()]
        return rows if shape.fits(rows) else [shape.pick(row) for row in rows]

    def page(self, rows: Sequence[Mapping[str, Any]], next_cursor: str | None) -> bytes:
        page = {"items": self._items(rows), "next_cursor": next_cursor}
        return orjson.dumps(page, option=orjson.OPT_UTC_Z)

    def item(self, row: Mapping[str, Any]) -> bytes:
        """One item, for a single-resource response."""
        return orjson.dumps(self._items([row])[0], option=orjson.OPT_UTC_Z)

    def array(self, rows: Sequence[Mapping[str, Any]]) -> bytes:
        """A plain JSON array of items, for a `list[model]` response."""
        return orjson.dumps(self._items(rows), option=orjson.OPT_UTC_Z)
