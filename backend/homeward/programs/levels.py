"""ASAM levels of care (3rd edition) and the weekly hours each allows."""

from dataclasses import dataclass
from enum import StrEnum


class LevelOfCare(StrEnum):
    outpatient = "1"
    intensive_outpatient = "2.1"
    partial_hospitalization = "2.5"


class Population(StrEnum):
    adult = "adult"
    adolescent = "adolescent"


ASAM_EDITION = "ASAM Criteria, 3rd edition"
# An individual therapy session is planned as one hour.
INDIVIDUAL_SESSION_HOURS = 1.0


@dataclass(frozen=True)
class HourBand:
    minimum: float | None  # inclusive
    maximum: float | None  # exclusive


_DEFAULT_BANDS: dict[tuple[LevelOfCare, Population], HourBand] = {
    (LevelOfCare.outpatient, Population.adult): HourBand(None, 9),
    (LevelOfCare.outpatient, Population.adolescent): HourBand(None, 6),
    (LevelOfCare.intensive_outpatient, Population.adult): HourBand(9, 20),
    (LevelOfCare.intensive_outpatient, Population.adolescent): HourBand(6, 20),
    (LevelOfCare.partial_hospitalization, Population.adult): HourBand(20, None),
    (LevelOfCare.partial_hospitalization, Population.adolescent): HourBand(20, None),
}


def hour_band(
    level: LevelOfCare,
    population: Population,
    min_override: float | None = None,
    max_override: float | None = None,
) -> HourBand:
    default = _DEFAULT_BANDS[(level, population)]
    return HourBand(
        min_override if min_override is not None else default.minimum,
        max_override if max_override is not None else default.maximum,
    )


def level_warning(hours: float, band: HourBand, level: LevelOfCare) -> str | None:
    """Why `hours` a week falls outside `band`, or None when it fits."""
    if band.minimum is not None and hours < band.minimum:
        return (
            f"Plans {hours:g} h/week, below the {band.minimum:g} h/week minimum "
            f"for level {level.value}"
        )
    if band.maximum is not None and hours >= band.maximum:
        return (
            f"Plans {hours:g} h/week, at or above the {band.maximum:g} h/week "
            f"ceiling of level {level.value}"
        )
    return None
