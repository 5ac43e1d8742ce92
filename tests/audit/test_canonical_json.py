"""The chain's canonical form is the standard library's, byte for byte, whichever
encoder writes it: the hashes of events already linked depend on it."""

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from homeward.audit.chain import canonical_json


def _standard(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()


_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
    | st.text(alphabet=st.characters(max_codepoint=0x7F))
    | st.sampled_from([1e16, 1e-7, 0.1, -0.0, 1.5e300])
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.dictionaries(st.text(alphabet=st.characters(max_codepoint=0x7F)), inner, max_size=5)
        | st.dictionaries(st.text(), inner, max_size=3)
    ),
    max_leaves=20,
)


@settings(max_examples=400)
@given(st.dictionaries(st.text(), _VALUES, max_size=8))
def test_any_json_value_is_written_as_the_standard_library_writes_it(
    payload: dict[str, Any],
) -> None:
    assert canonical_json(payload) == _standard(payload)


def test_what_events_hold_is_written_alike() -> None:
    event = {
        "id": str(uuid.uuid4()),
        "seq": 7,
        "occurred_at": "2026-11-27T21:00:00+00:00",
        "actor_id": None,
        "ip": "127.0.0.1",
        "detail": {"enrollment_ids": [str(uuid.uuid4()) for _ in range(3)], "count": 3},
        "note": 'tab\\there, a quote " and DEL \x7f, é, \u2028',
    }
    assert canonical_json(event) == _standard(event)


def test_values_given_as_text_by_default_are_written_as_text() -> None:
    at = datetime(2026, 11, 27, 21, tzinfo=UTC)
    key = uuid.UUID(int=1)
    payload: dict[str, Any] = {"at": at, "key": key, "n": {1: "integer key"}}
    assert canonical_json(payload) == _standard(payload)
    assert b'"at":"2026-11-27 21:00:00+00:00"' in canonical_json(payload)
