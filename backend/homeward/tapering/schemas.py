import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import Field, model_validator

from homeward.fields import Day, Integer, Text
from homeward.schemas import InputModel, ReadModel
from homeward.tapering.models import Action, Mode, RecommendationStatus
from homeward.tapering.rules import Rule, RuleSet

MAX_BACKTEST_STEPS = 200


class RuleSetRead(ReadModel):
    program_id: uuid.UUID
    version: int = Field(description="0 is the built-in default, served until the first PUT")
    rules: list[Rule]
    created_at: datetime | None
    created_by_id: uuid.UUID | None


class RuleSetVersionRead(ReadModel):
    version: int
    created_at: datetime
    created_by_id: uuid.UUID | None


class EvaluateRequest(InputModel):
    program_id: uuid.UUID | None = Field(default=None, description="Every program when omitted")
    as_of: Day | None = Field(default=None, description="Defaults to today, program time")


class EvaluationRead(ReadModel):
    programs: int
    enrollments: int
    created: int
    superseded: int
    applied: int


class EvidenceRead(ReadModel):
    path: str = Field(description="Where the comparison sits in the rule, e.g. when.all[0]")
    metric: str
    window_days: int | None
    value: float | None = Field(description="The measured value; null when there is no data")
    op: str
    threshold: float
    held: bool
    note: str | None = Field(default=None, description='"no data" when nothing was measured')


class RecommendationRead(ReadModel):
    id: uuid.UUID
    enrollment_id: uuid.UUID
    program_id: uuid.UUID
    rule_name: str
    rule_set_version: int
    action: Action
    mode: Mode
    from_phase_id: uuid.UUID | None
    proposed_phase_id: uuid.UUID | None
    days: int | None
    evidence: list[EvidenceRead]
    as_of: date
    status: RecommendationStatus
    created_at: datetime
    decided_at: datetime | None
    decided_by_id: uuid.UUID | None
    decision_note: str | None


class ApproveRequest(InputModel):
    note: Annotated[str, Text(max_length=2000, multiline=True)] | None = None


class DismissRequest(InputModel):
    reason: Annotated[str, Text(min_length=1, max_length=2000, multiline=True)]


class SimulationRequest(RuleSet):
    """A draft rule set, and either one date (`as_of`) or a replay (`from`, `to`, `every_days`)."""

    as_of: Day | None = None
    from_: Day | None = Field(default=None, alias="from")
    to: Day | None = None
    every_days: Annotated[Integer, Field(ge=1, le=90)] = 7

    @model_validator(mode="after")
    def _one_mode(self) -> Self:
        replay = self.from_ is not None or self.to is not None
        if replay and self.as_of is not None:
            raise ValueError("send either as_of, or from and to; not both")
        if replay:
            if self.from_ is None or self.to is None:
                raise ValueError("a replay needs both from and to")
            if self.to < self.from_:
                raise ValueError("to is before from")
            if (self.to - self.from_).days // self.every_days + 1 > MAX_BACKTEST_STEPS:
                raise ValueError(f"a replay takes at most {MAX_BACKTEST_STEPS} steps")
        return self

    @property
    def is_replay(self) -> bool:
        return self.from_ is not None


class SimulatedRecommendation(ReadModel):
    rule_name: str
    action: Action
    mode: Mode
    proposed_phase_id: uuid.UUID | None
    days: int | None
    evidence: list[EvidenceRead]


class SimulatedEnrollment(ReadModel):
    enrollment_id: uuid.UUID
    current_phase_id: uuid.UUID | None
    recommendations: list[SimulatedRecommendation]


class SimulationSnapshot(ReadModel):
    kind: Literal["snapshot"] = "snapshot"
    as_of: date
    enrollments: list[SimulatedEnrollment] = Field(
        description="Every active enrollment, with what the draft would recommend"
    )


class PathStep(ReadModel):
    on: date
    rule_name: str
    action: Action
    from_phase_id: uuid.UUID | None
    to_phase_id: uuid.UUID | None
    days: int | None


class ReplayedEnrollment(ReadModel):
    enrollment_id: uuid.UUID
    admitted_on: date | None
    start_phase_id: uuid.UUID | None
    final_phase_id: uuid.UUID | None
    completed_on: date | None
    path: list[PathStep]


class BacktestTotals(ReadModel):
    steps: int
    enrollments: int
    step_downs: int
    step_ups: int
    extensions: int
    extension_days: int
    completions: int
    reviews: int
    reached_last_phase: int
    average_days_to_last_phase: float | None = Field(
        description="From admission to entering the last phase, over those who got there"
    )


class Backtest(ReadModel):
    kind: Literal["backtest"] = "backtest"
    from_: date = Field(serialization_alias="from")
    to: date
    every_days: int
    enrollments: list[ReplayedEnrollment]
    totals: BacktestTotals


def evidence_of(items: list[dict[str, Any]]) -> list[EvidenceRead]:
    return [EvidenceRead.model_validate(item) for item in items]
