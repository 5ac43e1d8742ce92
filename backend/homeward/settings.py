"""Configuration from the environment (and an optional `.env`)."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]
DEVELOPMENT_SECRET = "development-secret-change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOMEWARD_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = Field(
        default=f"sqlite:///{REPO_ROOT / 'var' / 'homeward.db'}",
        validation_alias=AliasChoices("DATABASE_URL", "HOMEWARD_DATABASE_URL"),
    )
    secret_key: str = DEVELOPMENT_SECRET
    cors_origins: list[str] = []
    session_idle_minutes: int = 15
    session_absolute_hours: int = 12
    # How long a verified login is trusted without reading it again: how late another
    # server process learns of a sign-out or a user change (this one learns at once).
    login_trust_seconds: float = 10.0
    login_max_failures: int = 10
    login_lockout_minutes: int = 15
    max_body_bytes: int = 1024 * 1024
    public_rate_limit_per_minute: int = 10
    log_level: str = "INFO"
    # How often the server links new audit events into the hash chain; 0 leaves it to
    # the worker and to listing or verifying the trail.
    audit_seal_seconds: float = 1.0
    # Connections on PostgreSQL for the audited hot reads (see audit/reads.py) and the
    # attendance save (sessions/attendance_pooled.py); 0 runs them on the request's Session.
    # They come out of `db_connections`.
    read_pool_size: int = Field(default=10, ge=0)
    # Every database connection one process may hold, all its pools together; the
    # worker threads that run requests are sized with it (see `db.connection_budget`).
    db_connections: int = Field(default=30, ge=2)
    # How long a request waits for a connection, or for SQLite's write lock, before it
    # answers 503 with Retry-After.
    db_wait_seconds: float = Field(default=10.0, gt=0)
    # The API documentation page (`/docs`); unset, it is served outside production.
    api_docs: bool | None = None
    # Deliver webhooks from a thread of the server too (`make run`); `homeward worker`
    # delivers them in production.
    webhook_worker_in_process: bool = False
    # Outside production, webhooks may go to loopback addresses (a local receiver).
    webhook_allow_loopback: bool = True
    frontend_dist: Path = REPO_ROOT / "frontend" / "dist"
    migrations_dir: Path = REPO_ROOT / "migrations"

    @model_validator(mode="after")
    def _refuse_default_secret_in_production(self) -> "Settings":
        # A leaked default secret would let anyone forge CSRF tokens and webhook signatures.
        if self.environment == "production" and self.secret_key == DEVELOPMENT_SECRET:
            raise ValueError("HOMEWARD_SECRET_KEY must be set outside development")
        return self

    @property
    def serves_api_docs(self) -> bool:
        return self.api_docs if self.api_docs is not None else self.environment != "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
