"""The background worker: webhook deliveries from the outbox (`homeward.webhooks.runner`,
in a thread of its own), and each program's tapering evaluation, once a day at a local time.

`run_due_evaluations` does one pass and is what tests call; `run_forever` is the
sleep-based loop `homeward worker` runs. Several workers may run at once: a
program's row is locked (`SKIP LOCKED` on PostgreSQL) while it is evaluated, and
the last evaluated date is re-read under that lock, so each program runs once a day.
"""

import logging
import time as time_module
import uuid
from datetime import datetime, time
from zoneinfo import ZoneInfo

from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from homeward import clock
from homeward.audit.chain import ChainSealer
from homeward.audit.service import Actor
from homeward.fields import LocalTime
from homeward.programs.models import Program
from homeward.progress.metrics import today_in
from homeward.settings import Settings
from homeward.tapering.evaluation import evaluate
from homeward.tapering.models import EvaluationRun
from homeward.webhooks.runner import DeliveryLoop

logger = logging.getLogger("homeward.worker")


class WorkerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOMEWARD_", env_file=".env", extra="ignore")

    # Local time, in each program's own timezone, when its evaluation runs.
    evaluation_time: LocalTime = time(6, 0)
    poll_seconds: float = 60.0


def run_due_evaluations(
    db: Session, now: datetime | None = None, at: time | None = None
) -> list[uuid.UUID]:
    """Evaluate every program whose local time has passed `at` and that has not run today.

    Returns the programs evaluated. The caller commits.
    """
    now = now or clock.now()
    at = at or WorkerSettings().evaluation_time
    programs = db.execute(
        select(Program.id, Program.timezone).where(Program.archived.is_(False))
    ).all()
    last_runs = {
        row.program_id: row.last_evaluated_on
        for row in db.execute(select(EvaluationRun.program_id, EvaluationRun.last_evaluated_on))
    }
    evaluated: list[uuid.UUID] = []
    for program_id, timezone in programs:
        today = today_in(timezone, now)
        if _local_time(now, timezone) < at or last_runs.get(program_id) == today:
            continue
        locked = db.scalar(
            select(Program.id).where(Program.id == program_id).with_for_update(skip_locked=True)
        )
        if locked is None:
            continue  # another worker is on it
        run = db.get(EvaluationRun, program_id, populate_existing=True)
        if run is not None and run.last_evaluated_on >= today:
            continue
        counts = evaluate(db, Actor.system(), program_id=program_id, as_of=today, now=now)
        if run is None:
            db.add(EvaluationRun(program_id=program_id, last_evaluated_on=today, last_run_at=now))
        else:
            run.last_evaluated_on, run.last_run_at = today, now
        db.flush()
        logger.info(
            "evaluated program %s as of %s: %s created, %s superseded, %s applied",
            program_id,
            today.isoformat(),
            counts.created,
            counts.superseded,
            counts.applied,
        )
        evaluated.append(program_id)
    return evaluated


def _local_time(now: datetime, timezone: str) -> time:
    return now.astimezone(ZoneInfo(timezone)).time()


def run_forever(session_factory: sessionmaker[Session], settings: WorkerSettings) -> None:
    """Check every `poll_seconds`; a failed pass is logged and retried on the next one."""
    sealer = ChainSealer(session_factory, interval=settings.poll_seconds)
    while True:
        try:
            with session_factory() as db:
                run_due_evaluations(db, at=settings.evaluation_time)
                db.commit()
        except Exception:
            logger.exception("evaluation pass failed")
        try:
            # Evaluations record many events; with no server running, nothing else links them.
            sealer.seal_once()
        except Exception:
            logger.exception("sealing the audit chain failed")
        time_module.sleep(settings.poll_seconds)


def run_worker(
    session_factory: sessionmaker[Session],
    settings: Settings,
    worker_settings: WorkerSettings,
    *,
    webhooks_only: bool = False,
) -> None:
    """Deliver webhooks in a thread and, unless `webhooks_only`, run evaluations here."""
    deliveries = DeliveryLoop(session_factory, settings)
    if webhooks_only:
        deliveries.run()
        return
    deliveries.start()
    try:
        run_forever(session_factory, worker_settings)
    finally:
        deliveries.stop()
