"""Running Alembic from code (the CLI, `make run`, tests)."""

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

from homeward.db import ensure_sqlite_directory
from homeward.settings import Settings


def alembic_config(settings: Settings, connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(settings.migrations_dir))
    config.set_main_option("sqlalchemy.url", settings.database_url.replace("%", "%%"))
    config.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d-%%(slug)s")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(
    settings: Settings, revision: str = "head", connection: Connection | None = None
) -> None:
    ensure_sqlite_directory(settings.database_url)
    command.upgrade(alembic_config(settings, connection), revision)


def downgrade(settings: Settings, revision: str, connection: Connection | None = None) -> None:
    command.downgrade(alembic_config(settings, connection), revision)
