"""The partner catalog: programs that take step-down transfers, with their openings."""

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from homeward.programs.models import Phase, Program
from homeward.programs.schemas import PartnerProgramRead
from homeward.schemas import ReadModel
from homeward.transfers.review import openings

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class PhaseSummary(ReadModel):
    name: str
    order: int
    hours_per_week: float


class ScheduleSummary(ReadModel):
    days: list[str]
    phases: list[PhaseSummary]


class CatalogProgram(PartnerProgramRead):
    schedule: ScheduleSummary
    openings: int


def partner_catalog(db: Session) -> list[CatalogProgram]:
    """Open programs accepting step-down clients; openings are capacity minus the active,
    on-hold and pending enrollments."""
    programs = list(
        db.scalars(
            select(Program)
            .where(Program.archived.is_(False), Program.accepts_step_down.is_(True))
            .options(
                selectinload(Program.slots),
                selectinload(Program.phases).selectinload(Phase.slots),
            )
            .order_by(Program.name, Program.id)
        )
    )
    free = openings(db, {p.id for p in programs})
    return [
        CatalogProgram.model_validate(
            {
                **PartnerProgramRead.model_validate(program).model_dump(),
                "schedule": ScheduleSummary(
                    days=[WEEKDAYS[d] for d in sorted({s.weekday for s in program.slots})],
                    phases=[
                        PhaseSummary(
                            name=phase.name,
                            order=phase.order,
                            hours_per_week=phase.planned_hours_per_week,
                        )
                        for phase in program.phases
                    ],
                ),
                "openings": free.get(program.id, 0),
            }
        )
        for program in programs
    ]
