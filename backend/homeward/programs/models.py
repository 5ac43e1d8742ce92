import uuid
from datetime import time
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from homeward.db import Base, Timestamped, UUIDPrimaryKey, str_enum
from homeward.programs.levels import (
    INDIVIDUAL_SESSION_HOURS,
    HourBand,
    LevelOfCare,
    Population,
    hour_band,
    level_warning,
)

if TYPE_CHECKING:
    from homeward.auth.models import User


class SessionType(StrEnum):
    individual_therapy = "individual_therapy"
    group_therapy = "group_therapy"
    twelve_step = "twelve_step"
    education = "education"
    family = "family"
    medical = "medical"


phase_slots = Table(
    "phase_slots",
    Base.metadata,
    Column("phase_id", ForeignKey("phases.id", ondelete="CASCADE"), primary_key=True),
    Column("slot_id", ForeignKey("slots.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Program(UUIDPrimaryKey, Timestamped, Base):
    __tablename__ = "programs"

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    level_of_care: Mapped[LevelOfCare] = mapped_column(str_enum(LevelOfCare, 8))
    level_of_care_edition: Mapped[str] = mapped_column(String(40))
    population: Mapped[Population] = mapped_column(str_enum(Population, 16))
    capacity: Mapped[int]
    timezone: Mapped[str] = mapped_column(String(64))
    default_length_days: Mapped[int] = mapped_column(default=60)
    services_offered: Mapped[list[str]] = mapped_column(JSON, default=list)
    accepts_step_down: Mapped[bool] = mapped_column(default=True)
    archived: Mapped[bool] = mapped_column(default=False, index=True)
    # Per-program overrides of the level of care's weekly hour band (None: the ASAM default).
    min_hours_per_week: Mapped[float | None]
    max_hours_per_week: Mapped[float | None]
    version: Mapped[int] = mapped_column(default=1)

    slots: Mapped[list["Slot"]] = relationship(
        back_populates="program",
        order_by="(Slot.weekday, Slot.start_time, Slot.id)",
        cascade="all, delete-orphan",
    )
    phases: Mapped[list["Phase"]] = relationship(
        back_populates="program", order_by="Phase.order", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def hour_band(self) -> HourBand:
        return hour_band(
            self.level_of_care, self.population, self.min_hours_per_week, self.max_hours_per_week
        )

    @property
    def level_hours_min(self) -> float | None:
        return self.hour_band.minimum

    @property
    def level_hours_max(self) -> float | None:
        return self.hour_band.maximum


class Slot(UUIDPrimaryKey, Timestamped, Base):
    """A weekly recurring time in a program's schedule."""

    __tablename__ = "slots"

    program_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int]
    start_time: Mapped[time]
    end_time: Mapped[time]
    session_type: Mapped[SessionType] = mapped_column(str_enum(SessionType))
    title: Mapped[str] = mapped_column(String(200))
    facilitator_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    room: Mapped[str | None] = mapped_column(String(100))
    capacity: Mapped[int | None]

    program: Mapped[Program] = relationship(back_populates="slots")
    facilitator: Mapped["User | None"] = relationship("User")

    @property
    def hours(self) -> float:
        minutes = (self.end_time.hour * 60 + self.end_time.minute) - (
            self.start_time.hour * 60 + self.start_time.minute
        )
        return minutes / 60


class Phase(UUIDPrimaryKey, Timestamped, Base):
    """One intensity step of a program: which slots its clients attend."""

    __tablename__ = "phases"

    program_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    order: Mapped[int]
    individual_sessions_per_week: Mapped[int] = mapped_column(default=0)
    min_days: Mapped[int] = mapped_column(default=0)

    program: Mapped[Program] = relationship(back_populates="phases")
    slots: Mapped[list[Slot]] = relationship(secondary=phase_slots, order_by="Slot.weekday")

    @property
    def slot_ids(self) -> list[uuid.UUID]:
        return [slot.id for slot in self.slots]

    @property
    def planned_hours_per_week(self) -> float:
        hours = sum(slot.hours for slot in self.slots)
        return round(hours + self.individual_sessions_per_week * INDIVIDUAL_SESSION_HOURS, 2)

    @property
    def level_of_care_warning(self) -> str | None:
        program = self.program
        return level_warning(self.planned_hours_per_week, program.hour_band, program.level_of_care)
