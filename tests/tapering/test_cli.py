"""`homeward evaluate` on a database of its own."""

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from homeward.cli import app as cli
from homeward.db import make_engine
from homeward.seed.scale import build_synthetic_clinic
from homeward.settings import get_settings
from homeward.tapering.models import EvaluationRun, Recommendation
from tests.tapering.helpers import AS_OF, freeze


def test_evaluate_command(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    freeze(monkeypatch)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        assert runner.invoke(cli, ["migrate"]).exit_code == 0
        engine = make_engine(get_settings())
        with Session(engine) as db:
            build_synthetic_clinic(db, 30, days=20)
            db.commit()
        result = runner.invoke(cli, ["evaluate", "--as-of", AS_OF.isoformat()])
        assert result.exit_code == 0, result.output
        assert "Evaluated 30 enrollments in 1 programs" in result.output
        with Session(engine) as db:
            pending = db.scalar(
                select(func.count())
                .select_from(Recommendation)
                .where(Recommendation.status == "pending")
            )
            applied = db.scalar(
                select(func.count())
                .select_from(Recommendation)
                .where(Recommendation.status == "applied")
            )
            assert f"{pending} created, 0 superseded, {applied} applied" in result.output
            # The worker's schedule is its own: a manual run leaves it alone.
            assert db.scalar(select(func.count()).select_from(EvaluationRun)) == 0
        again = runner.invoke(cli, ["evaluate", "--as-of", AS_OF.isoformat()])
        assert "0 created, 0 superseded, 0 applied" in again.output
        bad = runner.invoke(cli, ["evaluate", "--as-of", "yesterday"])
        assert bad.exit_code == 1 and "Not evaluated" in bad.output
        engine.dispose()
    finally:
        get_settings.cache_clear()
