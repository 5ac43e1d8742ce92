"""Writing many rows in one statement: `COPY` (or an `UPDATE` from arrays) on PostgreSQL,
an executemany on SQLite.

Set-based work (an evaluation's recommendations, its automatic changes and their
audit events) writes hundreds of rows at once. As an `INSERT` executemany, the
driver adapts every value in Python and the server plans and runs one statement
per row; through `COPY` the driver formats each row in C and the server reads
plain text in one go. SQLite, in-process, takes the executemany as it is.
"""

import json
from collections.abc import Callable, Mapping, Sequence
from enum import Enum
from functools import partial
from typing import Any

from sqlalchemy import JSON, Connection, Table, bindparam, func, insert, select, update
from sqlalchemy.dialects.postgresql import ARRAY

# What json.dumps writes, without the spaces and the check for cycles (rows hold plain
# data): a third less to format, and to parse on the server.
_COMPACT_JSON = json.JSONEncoder(check_circular=False, separators=(",", ":")).encode


def insert_rows(
    connection: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert `rows` (values in `columns` order, every column the table needs given)."""
    if not rows:
        return
    if connection.dialect.name != "postgresql":
        connection.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    # The driver's own connection: COPY has no SQLAlchemy statement. It is the
    # caller's connection, so the rows join its transaction.
    driver = connection.connection.driver_connection
    assert driver is not None
    # Names from the models, never from input; columns quoted, as some are keywords
    # ("order").
    quoted = ", ".join(f'"{name}"' for name in columns)
    statement = f"COPY {table.name} ({quoted}) FROM STDIN"
    # Serialized as SQLAlchemy's JSON type would: None too, as JSON null, unless the
    # column keeps it as SQL NULL.
    as_json = [
        (i, column_type.none_as_null)
        for i, column_type in enumerate(table.c[name].type for name in columns)
        if isinstance(column_type, JSON)
    ]
    dumps = _COMPACT_JSON
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        if not as_json:
            for row in rows:
                copy.write_row(row)
            return
        for row in rows:
            values = list(row)
            for i, none_as_null in as_json:
                if values[i] is not None or not none_as_null:
                    values[i] = dumps(values[i])
            copy.write_row(values)


def insert_dicts(connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert `rows`, dicts with the same keys, as an INSERT through SQLAlchemy would: a
    column they leave out takes its Python default, and enum members go in as values."""
    if not rows:
        return
    if connection.dialect.name != "postgresql":
        connection.execute(insert(table), list(rows))
        return
    given: set[str] = set().union(*rows)
    fills: dict[str, Callable[[], Any]] = {}
    for column in table.columns:
        default = column.default
        if default is None or not (default.is_scalar or default.is_callable):
            continue
        arg: Any = default.arg  # type: ignore[attr-defined]
        # A callable default takes SQLAlchemy's execution context, which these ignore.
        fills[column.name] = partial(arg, None) if default.is_callable else partial(_same, arg)
    columns = [
        column.name for column in table.columns if column.name in given or column.name in fills
    ]

    def value(row: Mapping[str, Any], name: str) -> Any:
        found = row[name] if name in row else fills[name]() if name in fills else None
        return found.value if isinstance(found, Enum) else found

    insert_rows(
        connection, table, columns, [tuple(value(row, name) for name in columns) for row in rows]
    )


def _same(value: Any) -> Any:
    return value


def update_rows(
    connection: Connection,
    table: Table,
    key: str,
    given: Mapping[str, Sequence[Any]],
    also: Mapping[str, Any],
    *,
    matching: Sequence[str] = (),
) -> int:
    """For each i, set every column of `given` but `key` and `matching` to its i-th value,
    and the `also` columns (values or SQL expressions), on the row whose `key` is
    `given[key][i]` and whose `matching` columns still hold their i-th values (a version,
    say). The number of rows changed.

    On PostgreSQL one `UPDATE ... FROM` the values unnested from arrays; on SQLite
    an executemany.
    """
    count = len(given[key])
    if not count:
        return 0
    compared = [key, *matching]
    changed = [name for name in given if name not in compared]
    if connection.dialect.name != "postgresql":
        statement = (
            update(table)
            .where(*(table.c[name] == bindparam(f"given_{name}") for name in compared))
            .values({**{name: bindparam(f"given_{name}") for name in changed}, **also})
        )
        result = connection.execute(
            statement.execution_options(preserve_rowcount=True),
            [{f"given_{name}": values[i] for name, values in given.items()} for i in range(count)],
        )
        return result.rowcount
    # Several unnest() in one select list run in step, pairing the i-th elements.
    rows = select(
        *(
            func.unnest(
                bindparam(f"given_{name}", list(values), type_=ARRAY(table.c[name].type))
            ).label(name)
            for name, values in given.items()
        )
    ).subquery("given")
    result = connection.execute(
        update(table)
        .where(*(table.c[name] == rows.c[name] for name in compared))
        .values({**{name: rows.c[name] for name in changed}, **also})
        .execution_options(preserve_rowcount=True)
    )
    return result.rowcount
