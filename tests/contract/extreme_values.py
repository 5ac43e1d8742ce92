"""What the extreme-values walk sends: a plausible request per operation, and the extremes.

`base_body` builds a body from the OpenAPI schema that passes validation (required
fields only, real ids where a field names one), so that a request with one field
replaced by an extreme value reaches the handler rather than stopping at a missing field.
"""

import base64
import json
import uuid
from collections.abc import Iterator
from typing import Any

from hypothesis import strategies as st

Json = Any
Location = tuple[str, tuple[str | int, ...]]  # ("body" | "query" | "path", where)

TEXT_EXTREMES = ["\x00", "a\x00b", "\x1f", "\x7f", "\ud800", "\u202e", "x" * 100_001, ""]
INTEGER_EXTREMES = [True, -1, 0, 2**31, 2**63, -(2**63) - 1, 10**30, 1.5, "7"]
NUMBER_EXTREMES = [True, -1e308, 1e308, 10**400, -0.0]
DATE_EXTREMES = ["0001-01-01", "9999-12-31", "1899-12-31", "3000-01-01", "2026-02-30", "20260302"]
DATETIME_EXTREMES = [
    "0001-01-01T00:00:00+14:00",
    "0001-01-01T00:00:00-14:00",
    "9999-12-31T23:59:59-14:00",
    "9999-12-31T23:59:59.999999+14:00",
    "2026-03-02T10:00:00",  # naive
    "2026-03-02T10:00:00+14:00",
    "2026-03-02T10:00:00-14:00",
]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


CURSOR_EXTREMES = [
    _b64(json.dumps(values).encode())
    for values in (
        [2**80],
        ["0001-01-01T00:00:00+14:00", str(uuid.uuid4())],
        ["9999-12-31", "x", "y"],
        [True, None],
        ["a\x00b"],
        [],
        {"k": 1},
    )
] + ["%%%", "a.b", _b64(b"[" * 300)]


def extremes(schema: Json, name: str) -> st.SearchStrategy[Json]:
    """Values at and past the edges of what `schema` (a property or parameter) takes."""
    kind, fmt = schema.get("type"), schema.get("format")
    null = st.just(None)
    if name == "cursor":
        return st.sampled_from(CURSOR_EXTREMES)
    if fmt == "date":
        return st.sampled_from(DATE_EXTREMES) | null
    if fmt == "date-time":
        return st.sampled_from(DATETIME_EXTREMES) | null
    if kind == "integer":
        return st.sampled_from(INTEGER_EXTREMES) | st.integers() | null
    if kind == "number":
        return st.sampled_from(NUMBER_EXTREMES) | st.floats(allow_nan=False) | null
    if kind == "string" or "enum" in schema:
        controls = st.text(st.characters(max_codepoint=0x1F), min_size=1, max_size=4)
        return st.sampled_from(TEXT_EXTREMES) | controls.map(lambda c: f"a{c}b") | null
    if kind == "array":
        return st.sampled_from([[None], ["\x00"], [True], [2**63]]) | null
    return st.sampled_from([None, True, "\x00", 2**63, {}])


def resolve(schema: Json, components: Json) -> Json:
    """`schema` with `$ref`, `allOf` and `anyOf [X, null]` taken to the one schema meant."""
    while True:
        if "$ref" in schema:
            schema = components[schema["$ref"].rsplit("/", 1)[-1]]
        elif "allOf" in schema:
            schema = schema["allOf"][0]
        elif "anyOf" in schema or "oneOf" in schema:
            options = [
                s for s in schema.get("anyOf", schema.get("oneOf")) if s.get("type") != "null"
            ]
            schema = options[0]
        else:
            return schema


# Text whose rules go beyond its schema: the password policy and canonical timezones.
_PLAUSIBLE_TEXT = {"password": "tulip-harbor-lantern-58", "timezone": "America/New_York"}


def typical(schema: Json, name: str, ids: dict[str, str], components: Json) -> Json:
    """A value `schema` accepts, with a real id where `name` names one."""
    schema = resolve(schema, components)
    if "examples" in schema:
        return schema["examples"][0]
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind, fmt = schema.get("type"), schema.get("format")
    if fmt == "uuid":
        return ids.get(name, str(uuid.uuid4()))
    if fmt == "date":
        return "2026-03-02"
    if fmt == "date-time":
        return "2026-03-02T15:00:00Z"
    if fmt == "email":
        return f"x{uuid.uuid4().hex[:6]}@clinic.example"
    if kind == "string":
        if name in _PLAUSIBLE_TEXT:
            return _PLAUSIBLE_TEXT[name]
        if schema.get("pattern", "").startswith("^[0-9+"):
            return "555-0100"
        return "x" * max(1, schema.get("minLength", 1))
    if kind == "integer":
        return max(schema.get("minimum", 1), min(schema.get("maximum", 1), 1))
    if kind == "number":
        return schema.get("minimum", 0)
    if kind == "boolean":
        return False
    if kind == "array":
        count = schema.get("minItems", 0)
        return [typical(schema["items"], name, ids, components) for _ in range(count)]
    if kind == "object" or "properties" in schema:
        return base_body(schema, ids, components)
    return None


def base_body(schema: Json, ids: dict[str, str], components: Json) -> Json:
    schema = resolve(schema, components)
    if schema.get("type") == "array":
        return typical(schema, "", ids, components)
    properties = schema.get("properties", {})
    return {
        key: typical(properties[key], key, ids, components) for key in schema.get("required", [])
    }


def body_locations(
    schema: Json, components: Json, where: tuple[str | int, ...] = (), depth: int = 0
) -> Iterator[tuple[tuple[str | int, ...], Json]]:
    """Every field of a body, by its path, with its schema (arrays through their first item)."""
    schema = resolve(schema, components)
    if depth > 4:
        return
    if schema.get("type") == "array" and "items" in schema:
        yield from body_locations(schema["items"], components, (*where, 0), depth + 1)
        return
    for key, prop in schema.get("properties", {}).items():
        resolved = resolve(prop, components)
        if "properties" in resolved or resolved.get("type") == "array":
            yield (*where, key), resolved
            yield from body_locations(resolved, components, (*where, key), depth + 1)
        else:
            yield (*where, key), resolved


def with_value(
    body: Json, where: tuple[str | int, ...], value: Json, schema: Json, components: Json
) -> Json:
    """A copy of `body` with `value` at `where`, building the containers on the way."""
    if not where:
        return value
    head, rest = where[0], where[1:]
    body = json.loads(json.dumps(body)) if body is not None else None
    if isinstance(head, int):
        items = body if isinstance(body, list) and body else [None]
        item_schema = resolve(schema, components).get("items", {})
        start = items[0] if items[0] is not None else typical(item_schema, "", {}, components)
        items[0] = with_value(start, rest, value, item_schema, components)
        return items
    if not isinstance(body, dict):
        body = {}
    properties = resolve(schema, components).get("properties", {})
    child_schema = properties.get(head, {})
    child = body.get(head)
    if rest and child is None:
        child = typical(child_schema, str(head), {}, components)
    body[head] = with_value(child, rest, value, child_schema, components) if rest else value
    return body
