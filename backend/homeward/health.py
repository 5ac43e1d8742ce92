"""Liveness and readiness, outside /api/v1 for load balancers and orchestrators."""

from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

router = APIRouter(tags=["operations"])


class Health(BaseModel):
    status: str
    detail: str | None = None


def migration_head(migrations_dir: Path) -> str | None:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    return ScriptDirectory.from_config(config).get_current_head()


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """The process is alive."""
    # async: nothing to wait for, so no worker thread for a probe polled all day.
    return Health(status="ok")


@router.get("/readyz", response_model=Health, responses={503: {"model": Health}})
def readyz(request: Request) -> Health | JSONResponse:
    """The database answers and its schema is at the latest migration."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    expected: str | None = request.app.state.migration_head
    try:
        with factory() as db:
            current = db.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        return JSONResponse({"status": "unavailable", "detail": "database unreachable"}, 503)
    if current != expected:
        detail = f"schema at {current}, expected {expected}: run `homeward migrate`"
        return JSONResponse({"status": "unavailable", "detail": detail}, 503)
    return Health(status="ok")
