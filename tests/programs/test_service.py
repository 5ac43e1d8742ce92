from datetime import time

import pytest
from sqlalchemy.orm import Session

from homeward.audit.service import Actor
from homeward.programs import service
from homeward.programs.exceptions import FacilitatorDoubleBooked
from homeward.programs.levels import HourBand, LevelOfCare, Population, hour_band, level_warning
from homeward.programs.schemas import SlotCreate, SlotUpdate
from tests.factories import Factories


@pytest.mark.parametrize(
    ("level", "population", "hours", "warns"),
    [
        (LevelOfCare.intensive_outpatient, Population.adult, 9, False),
        (LevelOfCare.intensive_outpatient, Population.adult, 8.5, True),
        (LevelOfCare.intensive_outpatient, Population.adult, 19.5, False),
        (LevelOfCare.intensive_outpatient, Population.adult, 20, True),
        (LevelOfCare.intensive_outpatient, Population.adolescent, 6, False),
        (LevelOfCare.outpatient, Population.adult, 8.9, False),
        (LevelOfCare.outpatient, Population.adult, 9, True),
        (LevelOfCare.outpatient, Population.adolescent, 6, True),
        (LevelOfCare.partial_hospitalization, Population.adult, 20, False),
        (LevelOfCare.partial_hospitalization, Population.adult, 19, True),
    ],
)
def test_asam_hour_bands(
    level: LevelOfCare, population: Population, hours: float, warns: bool
) -> None:
    band = hour_band(level, population)
    assert (level_warning(hours, band, level) is not None) == warns


def test_overrides_replace_the_default_band() -> None:
    assert hour_band(LevelOfCare.intensive_outpatient, Population.adult, 6, None) == HourBand(6, 20)


def _slot(weekday: int, start: time, end: time, facilitator_id: object) -> SlotCreate:
    return SlotCreate.model_validate(
        {
            "weekday": weekday,
            "start_time": start.strftime("%H:%M"),
            "end_time": end.strftime("%H:%M"),
            "session_type": "group_therapy",
            "title": "Group",
            "facilitator_id": facilitator_id,
        }
    )


def test_facilitator_cannot_hold_overlapping_slots_across_programs(
    db: Session, factories: Factories
) -> None:
    facilitator = factories.user("clinician")
    day, evening = factories.program(), factories.program()
    actor = Actor.system()
    service.create_slot(db, actor, day.id, _slot(1, time(9), time(12), facilitator.id))
    with pytest.raises(FacilitatorDoubleBooked):
        service.create_slot(db, actor, evening.id, _slot(1, time(11), time(13), facilitator.id))
    # Touching end to start is not an overlap, and another weekday is free.
    service.create_slot(db, actor, evening.id, _slot(1, time(12), time(13), facilitator.id))
    moved = service.create_slot(db, actor, evening.id, _slot(2, time(9), time(12), facilitator.id))
    with pytest.raises(FacilitatorDoubleBooked):
        service.update_slot(db, actor, evening.id, moved.id, SlotUpdate(weekday=1))
