"""Programs' tapering rule sets: the current version, older ones, and new versions.

Evaluation lives in `evaluation`, the review queue in `review`, simulation and
backtest in `simulation`.
"""

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from homeward.audit.service import Actor, record
from homeward.pagination import Page, PageParams, paginate
from homeward.programs.exceptions import ProgramNotFound
from homeward.programs.models import Phase, Program
from homeward.tapering.exceptions import RuleSetVersionNotFound
from homeward.tapering.models import TaperingRuleSet
from homeward.tapering.rules import RuleSet, default_rule_set
from homeward.tapering.schemas import RuleSetRead, RuleSetVersionRead


@dataclass(frozen=True)
class VersionedRules:
    program_id: uuid.UUID
    version: int
    rules: RuleSet
    created_at: datetime | None = None
    created_by_id: uuid.UUID | None = None

    def read(self) -> RuleSetRead:
        return RuleSetRead(
            program_id=self.program_id,
            version=self.version,
            rules=self.rules.rules,
            created_at=self.created_at,
            created_by_id=self.created_by_id,
        )


def _stored(row: TaperingRuleSet) -> VersionedRules:
    return VersionedRules(
        row.program_id,
        row.version,
        RuleSet.model_validate(row.document),
        row.created_at,
        row.created_by_id,
    )


def _require_program(db: Session, program_id: uuid.UUID) -> None:
    if db.scalar(select(Program.id).where(Program.id == program_id)) is None:
        raise ProgramNotFound()


def _last_phase_min_days(db: Session, program_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, int]:
    rows = db.execute(
        select(Phase.program_id, Phase.order, Phase.min_days).where(
            Phase.program_id.in_(list(program_ids))
        )
    )
    last: dict[uuid.UUID, tuple[int, int]] = {}
    for program_id, order, min_days in rows:
        if program_id not in last or order > last[program_id][0]:
            last[program_id] = (order, min_days)
    return {program_id: min_days for program_id, (_, min_days) in last.items()}


def current_rule_sets(
    db: Session, program_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, VersionedRules]:
    """Each program's newest rule set (the default, as version 0, where none is stored).

    Two queries however many programs.
    """
    latest = (
        select(TaperingRuleSet.program_id, func.max(TaperingRuleSet.version).label("version"))
        .where(TaperingRuleSet.program_id.in_(list(program_ids)))
        .group_by(TaperingRuleSet.program_id)
        .subquery()
    )
    rows = db.scalars(
        select(TaperingRuleSet).join(
            latest,
            (latest.c.program_id == TaperingRuleSet.program_id)
            & (latest.c.version == TaperingRuleSet.version),
        )
    )
    found = {row.program_id: _stored(row) for row in rows}
    missing = [program_id for program_id in program_ids if program_id not in found]
    if missing:
        min_days = _last_phase_min_days(db, missing)
        for program_id in missing:
            found[program_id] = VersionedRules(
                program_id, 0, default_rule_set(min_days.get(program_id, 0))
            )
    return found


def get_rule_set(db: Session, program_id: uuid.UUID, version: int | None = None) -> VersionedRules:
    _require_program(db, program_id)
    if version is None:
        return current_rule_sets(db, [program_id])[program_id]
    if version == 0:
        min_days = _last_phase_min_days(db, [program_id]).get(program_id, 0)
        return VersionedRules(program_id, 0, default_rule_set(min_days))
    row = db.scalar(
        select(TaperingRuleSet).where(
            TaperingRuleSet.program_id == program_id, TaperingRuleSet.version == version
        )
    )
    if row is None:
        raise RuleSetVersionNotFound(f"Version {version} does not exist")
    return _stored(row)


def put_rule_set(db: Session, actor: Actor, program_id: uuid.UUID, data: RuleSet) -> VersionedRules:
    """Store `data` as the program's next version; earlier versions stay readable."""
    # Serialize writers of one program so two PUTs can't claim the same version.
    program = db.scalar(select(Program).where(Program.id == program_id).with_for_update())
    if program is None:
        raise ProgramNotFound()
    newest = db.scalar(
        select(func.max(TaperingRuleSet.version)).where(TaperingRuleSet.program_id == program_id)
    )
    row = TaperingRuleSet(
        program_id=program_id,
        version=(newest or 0) + 1,
        document=data.document(),
        created_by_id=actor.id if actor.type == "user" else None,
    )
    db.add(row)
    db.flush()
    record(
        db,
        actor,
        "tapering_rules.update",
        "program",
        program_id,
        detail={"version": row.version, "rules": len(data.rules)},
    )
    return _stored(row)


def list_versions(
    db: Session, program_id: uuid.UUID, params: PageParams
) -> Page[RuleSetVersionRead]:
    """Stored versions, newest first (version 0, the default, is never stored)."""
    _require_program(db, program_id)
    statement = select(TaperingRuleSet).where(TaperingRuleSet.program_id == program_id)
    return paginate(
        db,
        statement,
        [TaperingRuleSet.version],
        params,
        read_as=RuleSetVersionRead,
        descending=True,
    )
