"""The screening's answers and result, shared by public inquiries and partner transfers."""

from enum import StrEnum

from pydantic import BaseModel

from homeward.schemas import InputModel


class Severity(StrEnum):
    therapy_alone_enough = "therapy_alone_enough"
    needs_more_support = "needs_more_support"


class MedicalCondition(StrEnum):
    none_untreated = "none_untreated"
    untreated_serious_condition = "untreated_serious_condition"


class HomeConfidence(StrEnum):
    confident = "confident"
    not_confident = "not_confident"


class DetoxAnswer(StrEnum):
    completed = "completed"
    # A doctor expects withdrawal not to need inpatient care.
    not_needed = "not_needed"
    needed = "needed"
    unsure = "unsure"


class ScheduleAvailability(StrEnum):
    most_of_day = "most_of_day"
    evenings_only = "evenings_only"
    limited = "limited"


class ScreeningAnswers(InputModel):
    """The five answers of the screening; each field is one question."""

    severity: Severity
    medical_condition: MedicalCondition
    home_confidence: HomeConfidence
    detox: DetoxAnswer
    schedule: ScheduleAvailability


class ScreeningOutcome(StrEnum):
    lower_level = "lower_level"
    medical_first = "medical_first"
    consider_inpatient = "consider_inpatient"
    detox_first = "detox_first"
    schedule = "schedule"
    iop_appropriate = "iop_appropriate"


class ScreeningResult(BaseModel):
    outcome: ScreeningOutcome
    # Plain-language next step for the person screened.
    guidance: str


class AnswerOption(BaseModel):
    value: str
    label: str


class ScreeningQuestion(BaseModel):
    field: str
    question: str
    options: list[AnswerOption]
