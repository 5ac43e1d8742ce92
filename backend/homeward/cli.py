"""The `homeward` command."""

from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from homeward import migrate as migrations
from homeward.audit.service import Actor
from homeward.db import make_engine, make_session_factory
from homeward.settings import get_settings

app = typer.Typer(
    help="Homeward: run and administer an IOP clinic's server.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
console = Console()


def _session() -> Session:
    return make_session_factory(make_engine(get_settings()))()


@app.command()
def migrate(revision: str = "head") -> None:
    """Bring the database schema up to date."""
    migrations.upgrade(get_settings(), revision)
    console.print(f"[green]Database migrated to {revision}.[/green]")


@app.command("seed-demo")
def seed_demo(
    seed: Annotated[int, typer.Option(help="Same seed, same clinic")] = 7,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Do nothing if there are users")
    ] = False,
) -> None:
    """Fill the database with a demo clinic and print the demo logins."""
    from homeward.auth.models import User
    from homeward.seed.demo import DEMO_PASSWORD, seed_demo_clinic

    with _session() as db:
        if if_empty and db.scalar(select(func.count()).select_from(User)):
            console.print("Demo data already present.")
            return
        users = seed_demo_clinic(db, seed=seed)
        db.commit()
    console.print("[green]Demo clinic ready.[/green] Sign in with any of:")
    for email, role in users:
        console.print(f"  {role:<10} {email}")
    console.print(f"  password   {DEMO_PASSWORD}")


@app.command("seed")
def seed(
    scale: Annotated[int, typer.Option("--scale", help="Active enrollments to create")],
    days: Annotated[int, typer.Option(help="Days of past sessions and homework")] = 60,
    seed: Annotated[int, typer.Option(help="Same seed, same random choices")] = 1,
) -> None:
    """Build a large synthetic clinic (for load tests) with bulk inserts."""
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from homeward.seed.history import settle_after_bulk_load
    from homeward.seed.scale import build_synthetic_clinic

    if scale < 1 or days < 1:
        console.print("[red]--scale and --days must be positive.[/red]")
        raise typer.Exit(1)
    started = time.perf_counter()
    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with _session() as db, Progress(*columns, console=console) as bar:
        task = bar.add_task("Enrollments", total=scale)
        build_synthetic_clinic(
            db,
            scale,
            days=days,
            seed=seed,
            progress=lambda done, _: bar.update(task, completed=done),
        )
        bar.update(task, description="Committing")
        db.commit()
        bar.update(task, description="Vacuuming and analyzing")
        settle_after_bulk_load(db.get_bind().engine)
    elapsed = time.perf_counter() - started
    console.print(
        f"[green]Synthetic clinic ready:[/green] {scale} active enrollments, "
        f"{days} days, in {elapsed:.1f} s."
    )


@app.command("create-user")
def create_user(
    email: str,
    full_name: Annotated[str, typer.Option("--name")],
    role: Annotated[str, typer.Option()] = "admin",
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)
    ] = "",
) -> None:
    """Create a staff user (the first admin, typically)."""
    from pydantic import ValidationError

    from homeward.auth import service
    from homeward.auth.models import Role
    from homeward.auth.schemas import UserCreate
    from homeward.errors import DomainError

    try:
        data = UserCreate(email=email, full_name=full_name, role=Role(role), password=password)
        with _session() as db:
            user = service.create_user(db, Actor.system(), data)
            db.commit()
    except (ValidationError, ValueError, DomainError) as error:
        console.print(f"[red]Not created:[/red] {error}")
        raise typer.Exit(1) from error
    console.print(f"[green]Created {user.role.value} {user.email}.[/green]")


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the audit trail's hash chain; exits 1 if any row was edited or removed."""
    from homeward.audit.chain import verify_chain

    with _session() as db:
        breaks = list(verify_chain(db))
        db.commit()  # keep the links verification made for events not yet sealed
    if not breaks:
        console.print("[green]Audit trail intact.[/green]")
        return
    for chain_break in breaks:
        console.print(f"[red]row {chain_break.seq}:[/red] {chain_break.reason}")
    raise typer.Exit(1)


@app.command()
def evaluate(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="YYYY-MM-DD; default today, program time")
    ] = None,
    program: Annotated[str | None, typer.Option("--program", help="One program's id")] = None,
) -> None:
    """Evaluate tapering rules now: recommendations, and changes of `auto` rules."""
    import uuid
    from datetime import date

    from homeward.errors import DomainError
    from homeward.tapering.evaluation import evaluate as run_evaluation

    try:
        day = date.fromisoformat(as_of) if as_of else None
        program_id = uuid.UUID(program) if program else None
        with _session() as db:
            counts = run_evaluation(db, Actor.system(), program_id=program_id, as_of=day)
            db.commit()
    except (ValueError, DomainError) as error:
        console.print(f"[red]Not evaluated:[/red] {error}")
        raise typer.Exit(1) from error
    console.print(
        f"[green]Evaluated {counts.enrollments} enrollments in {counts.programs} programs:[/green] "
        f"{counts.created} created, {counts.superseded} superseded, {counts.applied} applied."
    )


@app.command()
def worker(
    webhooks_only: Annotated[
        bool, typer.Option("--webhooks-only", help="Deliver webhooks; run no evaluations")
    ] = False,
) -> None:
    """Run background jobs: webhook deliveries, and each program's daily tapering evaluation."""
    from homeward.logs import configure_logging
    from homeward.worker import WorkerSettings, run_worker

    settings = get_settings()
    configure_logging(settings.log_level)
    worker_settings = WorkerSettings()
    if webhooks_only:
        console.print("Worker started; delivering webhooks.")
    else:
        console.print(
            "Worker started; delivering webhooks, and evaluations run daily at "
            f"{worker_settings.evaluation_time:%H:%M} program time."
        )
    factory = make_session_factory(make_engine(settings))
    run_worker(factory, settings, worker_settings, webhooks_only=webhooks_only)


if __name__ == "__main__":
    app()
