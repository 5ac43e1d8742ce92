"""`dict_maker`: rows become dicts by column name, exactly as `dict(zip(...))` makes them."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from homeward.db import dict_maker


@given(st.lists(st.tuples(st.text(), st.integers() | st.none() | st.text()), max_size=30))
def test_a_row_reads_as_zipping_its_keys_and_values(pairs: list[tuple[str, object]]) -> None:
    keys = tuple(key for key, _ in pairs)
    values = tuple(value for _, value in pairs)
    # Any text is a key, quotes, backslashes and newlines too; a repeated key keeps its
    # last value, as in `dict(zip(...))`.
    assert dict_maker(keys)(values) == dict(zip(keys, values, strict=True))


def test_a_row_of_another_length_is_refused() -> None:
    make = dict_maker(("id", "name"))
    with pytest.raises(ValueError):
        make((1,))
    with pytest.raises(ValueError):
        make((1, "a", "extra"))


def test_one_function_per_set_of_keys() -> None:
    assert dict_maker(("id", "name")) is dict_maker(("id", "name"))
    assert dict_maker(())(()) == {}
