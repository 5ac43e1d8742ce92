"""Who an IOP suits: the first check that fails names the outcome (DESIGN.md, Screening)."""

from collections.abc import Callable

from homeward.screening.schemas import (
    AnswerOption,
    DetoxAnswer,
    HomeConfidence,
    MedicalCondition,
    ScheduleAvailability,
    ScreeningAnswers,
    ScreeningOutcome,
    ScreeningQuestion,
    ScreeningResult,
    Severity,
)

GUIDANCE = {
    ScreeningOutcome.lower_level: (
        "Weekly counselling or 12-step meetings may be enough for now. We can help you "
        "find outpatient care, and you can come back to us if you need more support."
    ),
    ScreeningOutcome.medical_first: (
        "A serious health condition that is not being treated should be looked after "
        "first. Please see a doctor; we can start the program once it is in hand."
    ),
    ScreeningOutcome.consider_inpatient: (
        "Because staying away from use at home feels hard right now, a residential "
        "program may suit better. We can talk through the options with you."
    ),
    ScreeningOutcome.detox_first: (
        "Talk to a doctor about detox first: stopping some substances suddenly can be "
        "dangerous. Once detox is done, or a doctor says you do not need it, we can begin."
    ),
    ScreeningOutcome.schedule: (
        "Our daytime program takes most of each weekday. Ask us about an evening track, "
        "which some of our programs offer."
    ),
    ScreeningOutcome.iop_appropriate: (
        "An intensive outpatient program looks like a good fit. An intake coordinator "
        "will contact you to arrange an assessment."
    ),
}

# In order: the first that does not hold decides the outcome.
CHECKS: tuple[tuple[ScreeningOutcome, Callable[[ScreeningAnswers], bool]], ...] = (
    (ScreeningOutcome.lower_level, lambda a: a.severity is Severity.needs_more_support),
    (
        ScreeningOutcome.medical_first,
        lambda a: a.medical_condition is MedicalCondition.none_untreated,
    ),
    (ScreeningOutcome.consider_inpatient, lambda a: a.home_confidence is HomeConfidence.confident),
    (
        ScreeningOutcome.detox_first,
        lambda a: a.detox in (DetoxAnswer.completed, DetoxAnswer.not_needed),
    ),
    (ScreeningOutcome.schedule, lambda a: a.schedule is ScheduleAvailability.most_of_day),
)


def screen(answers: ScreeningAnswers) -> ScreeningResult:
    """The screening outcome for `answers`, with its guidance."""
    outcome = next(
        (outcome for outcome, holds in CHECKS if not holds(answers)),
        ScreeningOutcome.iop_appropriate,
    )
    return ScreeningResult(outcome=outcome, guidance=GUIDANCE[outcome])


def _options(*pairs: tuple[str, str]) -> list[AnswerOption]:
    return [AnswerOption(value=value, label=label) for value, label in pairs]


QUESTIONS = (
    ScreeningQuestion(
        field="severity",
        question="Have weekly counselling or 12-step meetings on their own been enough?",
        options=_options(
            (Severity.therapy_alone_enough, "Yes, they may be enough"),
            (Severity.needs_more_support, "No, I need more support than that"),
        ),
    ),
    ScreeningQuestion(
        field="medical_condition",
        question="Do you have a serious medical or mental-health condition that is not "
        "being treated?",
        options=_options(
            (MedicalCondition.none_untreated, "No"),
            (MedicalCondition.untreated_serious_condition, "Yes"),
        ),
    ),
    ScreeningQuestion(
        field="home_confidence",
        question="Are you confident you can stay away from using while living at home?",
        options=_options(
            (HomeConfidence.confident, "Yes, I am confident"),
            (HomeConfidence.not_confident, "No, not really"),
        ),
    ),
    ScreeningQuestion(
        field="detox",
        question="Have you completed detox, or has a doctor said you will not need it?",
        options=_options(
            (DetoxAnswer.completed, "I have completed detox"),
            (DetoxAnswer.not_needed, "A doctor said I do not need inpatient detox"),
            (DetoxAnswer.needed, "I still need detox"),
            (DetoxAnswer.unsure, "I am not sure"),
        ),
    ),
    ScreeningQuestion(
        field="schedule",
        question="Can you set aside most of each weekday for treatment for a few weeks?",
        options=_options(
            (ScheduleAvailability.most_of_day, "Yes"),
            (ScheduleAvailability.evenings_only, "Only evenings"),
            (ScheduleAvailability.limited, "Only a little time"),
        ),
    ),
)
