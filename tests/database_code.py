"""What the migrated database holds of each domain's triggers and functions, as text.

Each domain declares its database-side logic in `<domain>/sql/<dialect>.sql`, the
definitions as the database gives them back, in name order: the one place to read what
the triggers and functions do now (the migrations that created them hold pinned
copies). `tests/core/test_database_code.py` compares the two on each database.

After a migration changes one, write the declarations again, on each database:

    uv run python -m tests.database_code
    DATABASE_URL=postgresql+psycopg://... uv run python -m tests.database_code
"""

import os
import tempfile
from pathlib import Path

from sqlalchemy import Connection, text

from homeward import migrate
from homeward.db import make_engine
from homeward.settings import Settings

PACKAGE = Path(__file__).resolve().parents[1] / "backend" / "homeward"
# Each domain's objects, by the start of their names.
OWNERS = {
    "progress": ("progress_marks_",),
    "sessions": ("session_tallies_", "save_attendance"),
}

_POSTGRES_FUNCTIONS = text(
    "SELECT p.proname, pg_get_functiondef(p.oid) FROM pg_proc AS p "
    "JOIN pg_namespace AS n ON n.oid = p.pronamespace "
    "WHERE n.nspname = current_schema() ORDER BY p.proname"
)
_POSTGRES_TRIGGERS = text(
    "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal ORDER BY tgname"
)
_SQLITE_TRIGGERS = text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")


def declared_path(domain: str, dialect: str) -> Path:
    return PACKAGE / domain / "sql" / f"{dialect}.sql"


def declared_names(domain: str, settings: Settings) -> set[str]:
    """The names of the triggers and functions `domain` declares for this database."""
    dialect = "sqlite" if settings.is_sqlite else "postgresql"
    text_ = declared_path(domain, dialect).read_text()
    return {line[3:].strip() for line in text_.splitlines() if line.startswith("-- ")}


def _owner(name: str) -> str | None:
    for domain, prefixes in OWNERS.items():
        if name.startswith(prefixes):
            return domain
    return None


def held(connection: Connection) -> dict[str, str]:
    """Each domain's definitions as `connection`'s database holds them, as one text."""
    if connection.dialect.name == "postgresql":
        rows = [*connection.execute(_POSTGRES_FUNCTIONS), *connection.execute(_POSTGRES_TRIGGERS)]
    else:
        rows = list(connection.execute(_SQLITE_TRIGGERS))
    texts: dict[str, list[str]] = {domain: [] for domain in OWNERS}
    for name, definition in rows:
        domain = _owner(name)
        if domain is None:
            raise AssertionError(f"{name} belongs to no domain: add it to OWNERS")
        texts[domain].append(f"-- {name}\n{definition.strip()};\n")
    return {domain: "\n".join(parts) for domain, parts in texts.items()}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/declared.db"
        settings = Settings(environment="test", database_url=url, secret_key="declarations")
        migrate.upgrade(settings)
        engine = make_engine(settings)
        with engine.connect() as connection:
            for domain, definitions in held(connection).items():
                path = declared_path(domain, connection.dialect.name)
                path.parent.mkdir(exist_ok=True)
                path.write_text(definitions)
                print(f"wrote {path.relative_to(PACKAGE.parent.parent)}")
        engine.dispose()


if __name__ == "__main__":
    main()
