"""The triggers and functions the migrated database holds are the ones each domain
declares in its `sql/` folder (`tests/database_code.py`)."""

import difflib

from sqlalchemy import Engine

from tests.database_code import declared_path, held


def test_the_database_holds_what_each_domain_declares(engine: Engine) -> None:
    with engine.connect() as connection:
        dialect = connection.dialect.name
        definitions = held(connection)
    for domain, holds in definitions.items():
        path = declared_path(domain, dialect)
        declared = path.read_text() if path.exists() else ""
        diff = "".join(
            difflib.unified_diff(
                declared.splitlines(keepends=True),
                holds.splitlines(keepends=True),
                fromfile=f"{domain}/sql/{dialect}.sql (declared)",
                tofile="the migrated database",
            )
        )
        assert not diff, f"{diff}\nIf the migration is right: python -m tests.database_code"
