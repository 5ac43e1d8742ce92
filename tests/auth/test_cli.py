"""`homeward create-user` makes a staff user from the shell, with the same password policy."""

from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from homeward import migrate
from homeward.auth.models import Role, User
from homeward.auth.passwords import verify_password
from homeward.cli import app
from homeward.db import make_engine, make_session_factory
from homeward.settings import Settings, get_settings


@pytest.fixture
def cli_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    settings = Settings(database_url=url)
    migrate.upgrade(settings)
    yield settings  # type: ignore[misc]
    get_settings.cache_clear()


def test_create_user(cli_database: Settings) -> None:
    runner = CliRunner()
    args = ["create-user", "Director@Clinic.example", "--name", "Dana Director", "--role", "admin"]
    created = runner.invoke(app, args, input="amber-quay-passphrase-7\namber-quay-passphrase-7\n")
    assert created.exit_code == 0, created.output
    engine = make_engine(cli_database)
    with make_session_factory(engine)() as db:
        user = db.scalar(select(User).where(User.email == "director@clinic.example"))
        assert user is not None and user.role == Role.admin
        assert verify_password(user.password_hash, "amber-quay-passphrase-7")
    engine.dispose()

    weak = runner.invoke(
        app,
        ["create-user", "x@clinic.example", "--name", "X"],
        input="qwertyuiop12\nqwertyuiop12\n",
    )
    assert weak.exit_code == 1 and "too weak" in weak.output
