"""The demo's clinical events: weekly drug screens, the planned relapses, a crisis and
medical follow-ups.

Screens run weekly from two days after admission until the stay ends; a planned
relapse is disclosed and confirmed by a positive screen that day, in place of the
weekly one. Events are recorded by the medical staff member.
"""

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

from homeward.enrollments.models import EventKind, ScreenResult
from homeward.progress.metrics import today_in
from homeward.seed.demo_plan import DemoContext, DemoEnrollment
from homeward.seed.history import Row, new_id

SUBSTANCES = ["alcohol", "cannabis", "opioids", "cocaine", "methamphetamine"]


def event_rows(ctx: DemoContext, plans: list[DemoEnrollment]) -> list[Row]:
    """Weekly drug screens (mostly negative), the planned relapses, a crisis, medical notes."""
    rows: list[Row] = []
    for plan in plans:
        if plan.admitted_on is None:
            continue
        today = today_in(plan.program.timezone, ctx.now)
        last = min(today, plan.ends_on - timedelta(days=1)) if plan.ends_on else today
        rows.extend(_weekly_screens(ctx, plan, last))
        if plan.relapse_on is not None and plan.relapse_on <= last:
            rows.extend(_relapse(ctx, plan, plan.relapse_on))
    rows.extend(_follow_ups(ctx, plans))
    return rows


def _event(
    ctx: DemoContext, plan: DemoEnrollment, kind: EventKind, on: date, **values: object
) -> Row:
    row: Row = {
        "id": new_id(ctx.rng),
        "enrollment_id": plan.id,
        "kind": kind,
        "occurred_on": on,
        "result": None,
        "substances": [],
        "note": "",
        "recorded_by_id": ctx.medical.id,
        "created_at": min(datetime.combine(on, time(18), tzinfo=UTC), ctx.now),
    }
    row.update(values)
    return row


def _weekly_screens(ctx: DemoContext, plan: DemoEnrollment, last: date) -> Iterator[Row]:
    """A random screen each week from two days after admission, one in fifty positive."""
    assert plan.admitted_on is not None
    rng = ctx.rng
    day = plan.admitted_on + timedelta(days=2)
    while day <= last:
        if day != plan.relapse_on:
            positive = rng.random() < 0.02
            yield _event(
                ctx,
                plan,
                EventKind.drug_screen,
                day,
                result=ScreenResult.positive if positive else ScreenResult.negative,
                substances=[rng.choice(SUBSTANCES)] if positive else [],
                note="Random screen",
            )
        day += timedelta(days=7)


def _relapse(ctx: DemoContext, plan: DemoEnrollment, on: date) -> list[Row]:
    """The relapse as disclosed, and the positive screen that confirmed it."""
    substance = ctx.rng.choice(SUBSTANCES)
    note = "Used over the weekend; disclosed in group."
    relapse = _event(ctx, plan, EventKind.relapse, on, substances=[substance], note=note)
    screen = _event(
        ctx,
        plan,
        EventKind.drug_screen,
        on,
        result=ScreenResult.positive,
        substances=[substance],
        note="Confirmatory screen",
    )
    return [relapse, screen]


def _follow_ups(ctx: DemoContext, plans: list[DemoEnrollment]) -> list[Row]:
    """Three active clients early in their stay: a medical follow-up or a crisis call."""
    rng = ctx.rng
    admitted = [p for p in plans if p.admitted_on is not None and p.kind == "active"]
    rows = []
    for plan in rng.sample(admitted, min(3, len(admitted))):
        assert plan.admitted_on is not None
        on = min(plan.admitted_on + timedelta(days=rng.randint(1, 10)), ctx.now.date())
        if plan.program.name == "Partial Hospitalization" or rng.random() < 0.5:
            rows.append(
                _event(
                    ctx,
                    plan,
                    EventKind.medical,
                    on,
                    note="Blood pressure follow-up with medical staff.",
                )
            )
        else:
            rows.append(
                _event(ctx, plan, EventKind.crisis, on, note="Crisis call; safety plan reviewed.")
            )
    return rows
