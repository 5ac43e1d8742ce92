"""The screening: every answer combination's outcome is the first check that fails."""

import itertools

import pytest

from homeward.screening.schemas import (
    DetoxAnswer,
    HomeConfidence,
    MedicalCondition,
    ScheduleAvailability,
    ScreeningAnswers,
    ScreeningOutcome,
    Severity,
)
from homeward.screening.service import GUIDANCE, QUESTIONS, screen

Combination = tuple[Severity, MedicalCondition, HomeConfidence, DetoxAnswer, ScheduleAvailability]
ALL_ANSWERS: list[Combination] = list(
    itertools.product(Severity, MedicalCondition, HomeConfidence, DetoxAnswer, ScheduleAvailability)
)


def _expected(
    severity: Severity,
    medical: MedicalCondition,
    home: HomeConfidence,
    detox: DetoxAnswer,
    schedule: ScheduleAvailability,
) -> ScreeningOutcome:
    # Written out as the design states it, independently of the service's table.
    if severity == "therapy_alone_enough":
        return ScreeningOutcome.lower_level
    if medical == "untreated_serious_condition":
        return ScreeningOutcome.medical_first
    if home == "not_confident":
        return ScreeningOutcome.consider_inpatient
    if detox in ("needed", "unsure"):
        return ScreeningOutcome.detox_first
    if schedule != "most_of_day":
        return ScreeningOutcome.schedule
    return ScreeningOutcome.iop_appropriate


@pytest.mark.parametrize("combination", ALL_ANSWERS, ids=lambda c: "-".join(c))
def test_every_combination_gets_the_first_failing_check(
    combination: Combination,
) -> None:
    severity, medical, home, detox, schedule = combination
    answers = ScreeningAnswers(
        severity=severity,
        medical_condition=medical,
        home_confidence=home,
        detox=detox,
        schedule=schedule,
    )
    result = screen(answers)
    assert result.outcome == _expected(*combination)
    assert result.guidance == GUIDANCE[result.outcome]


def test_each_outcome_is_reachable_and_has_guidance() -> None:
    reached = {_expected(*combination) for combination in ALL_ANSWERS}
    assert reached == set(ScreeningOutcome)
    assert "detox" in GUIDANCE[ScreeningOutcome.detox_first].lower()
    assert "residential" in GUIDANCE[ScreeningOutcome.consider_inpatient]


def test_the_questions_cover_every_answer_field_and_option() -> None:
    fields = {question.field: question for question in QUESTIONS}
    assert list(fields) == list(ScreeningAnswers.model_fields)
    for name, enum in (
        ("severity", Severity),
        ("medical_condition", MedicalCondition),
        ("home_confidence", HomeConfidence),
        ("detox", DetoxAnswer),
        ("schedule", ScheduleAvailability),
    ):
        assert [option.value for option in fields[name].options] == [m.value for m in enum]
