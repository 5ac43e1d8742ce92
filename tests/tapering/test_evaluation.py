"""Evaluation on hand-built scenarios: each action, precedence, idempotence, supersession."""

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from homeward.audit.chain import verify_chain
from homeward.audit.models import AuditEvent
from homeward.audit.service import Actor
from homeward.enrollments import service as enrollments
from homeward.enrollments.models import Enrollment, EnrollmentStatus, Extension, PhaseChange
from homeward.enrollments.schemas import ChangePhaseRequest, ExtendRequest
from homeward.progress import metrics
from homeward.sessions.models import RosterEntry
from homeward.tapering import flows, review
from homeward.tapering.apply import AutoChange, apply_in_bulk, fingerprint
from homeward.tapering.engine import Decision
from homeward.tapering.evaluation import evaluate
from homeward.tapering.exceptions import RecommendationDecided, StaleRecommendation
from homeward.tapering.models import Action, Recommendation, RecommendationStatus
from homeward.tapering.rules import Rule, RuleSet
from homeward.tapering.schemas import ApproveRequest, DismissRequest
from homeward.tapering.service import put_rule_set
from tests.factories import Factories
from tests.statements import count_queries
from tests.tapering.helpers import (
    AS_OF,
    NOW,
    Clinic,
    clinic,
    enroll,
    event,
    freeze,
    local,
    session,
    steady,
)

SYSTEM = Actor.system()


def rule(name: str, action: str, when: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"name": name, "action": action, "when": when, **extra}


def cmp(metric: str, op: str, value: float, window: int | None = None) -> dict[str, Any]:
    condition: dict[str, Any] = {"metric": metric, "op": op, "value": value}
    if window is not None:
        condition["window_days"] = window
    return condition


ALWAYS = cmp("days_enrolled", ">=", 0)


def use_rules(db: Session, place: Clinic, *rules: dict[str, Any]) -> None:
    put_rule_set(db, SYSTEM, place.program.id, RuleSet.model_validate({"rules": list(rules)}))


def recommendations(db: Session, enrollment: Enrollment, status: str | None = None) -> list[Any]:
    statement = select(Recommendation).where(Recommendation.enrollment_id == enrollment.id)
    if status:
        statement = statement.where(Recommendation.status == RecommendationStatus(status))
    return list(db.scalars(statement.order_by(Recommendation.created_at, Recommendation.rule_name)))


@pytest.fixture(autouse=True)
def _frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    freeze(monkeypatch)


def test_default_rules_step_down_with_exact_evidence(db: Session, factories: Factories) -> None:
    place = clinic(factories)
    enrollment = enroll(factories, place)
    steady(factories, place, enrollment)
    counts = evaluate(db, SYSTEM, program_id=place.program.id)
    assert (counts.created, counts.superseded, counts.applied) == (1, 0, 0)
    [made] = recommendations(db, enrollment)
    assert made.action == "step_down" and made.rule_name == "steady progress"
    assert made.proposed_phase_id == place.phases[1].id
    assert made.from_phase_id == place.phases[0].id
    assert made.rule_set_version == 0 and made.as_of == AS_OF and made.status == "pending"
    days = (AS_OF - date(2026, 1, 5)).days
    assert [(e["metric"], e["window_days"], e["value"], e["held"]) for e in made.evidence] == [
        ("attendance_rate", 14, 1.0, True),
        ("homework_completion_rate", 14, 1.0, True),
        ("days_in_phase", None, days, True),
        ("days_since_last_use", None, days, True),
    ]
    assert made.evidence[0]["op"] == ">=" and made.evidence[0]["threshold"] == 0.9


def test_no_data_fails_a_condition(db: Session, factories: Factories) -> None:
    place = clinic(factories)
    silent = enroll(factories, place)
    use_rules(
        db,
        place,
        rule("low", "review", cmp("attendance_rate", "<", 0.5, 14)),
        rule("not high", "review", {"not": cmp("homework_completion_rate", ">=", 0.5, 14)}),
        rule(
            "either",
            "review",
            {"any": [cmp("attendance_rate", "<", 0.5, 14), cmp("days_enrolled", ">=", 1)]},
        ),
    )
    evaluate(db, SYSTEM, program_id=place.program.id)
    [made] = recommendations(db, silent)
    assert made.rule_name == "either"
    assert made.evidence[0] == {
        "path": "when.any[0]",
        "metric": "attendance_rate",
        "window_days": 14,
        "value": None,
        "op": "<",
        "threshold": 0.5,
        "held": False,
        "note": "no data",
    }
    assert made.evidence[1]["held"] is True


def test_step_up_beats_step_down(db: Session, factories: Factories) -> None:
    place = clinic(factories)
    enrollment = enroll(factories, place, phase=2, phase_started_on=date(2026, 2, 1))
    event(db, enrollment, AS_OF - timedelta(days=2))
    use_rules(
        db,
        place,
        rule("always down", "step_down", ALWAYS),
        rule("relapse", "step_up", cmp("relapse_events", ">=", 1, 7)),
        rule("watch", "review", cmp("relapse_events", ">=", 1, 7)),
    )
    evaluate(db, SYSTEM, program_id=place.program.id)
    made = {r.rule_name: r for r in recommendations(db, enrollment)}
    assert set(made) == {"relapse", "watch"}
    assert made["relapse"].proposed_phase_id == place.phases[0].id


def test_complete_only_from_last_phase_and_step_down_needs_a_next_phase(
    db: Session, factories: Factories
) -> None:
    place = clinic(factories)
    middle = enroll(factories, place, phase=2)
    last = enroll(factories, place, phase=3)
    use_rules(
        db,
        place,
        rule("finish", "complete", ALWAYS),
        rule("down", "step_down", ALWAYS),
        rule("down again", "step_down", ALWAYS),
    )
    evaluate(db, SYSTEM, program_id=place.program.id)
    [middle_made] = recommendations(db, middle)
    assert (middle_made.rule_name, middle_made.action) == ("down", "step_down")
    assert middle_made.proposed_phase_id == place.phases[2].id
    [last_made] = recommendations(db, last)
    assert (last_made.rule_name, last_made.action, last_made.proposed_phase_id) == (
        "finish",
        "complete",
        None,
    )


def test_step_down_in_last_phase_does_not_block_complete(db: Session, factories: Factories) -> None:
    place = clinic(factories)
    last = enroll(factories, place, phase=3)
    use_rules(db, place, rule("down", "step_down", ALWAYS), rule("finish", "complete", ALWAYS))
    evaluate(db, SYSTEM, program_id=place.program.id)
    assert [r.action for r in recommendations(db, last)] == ["complete"]


def test_evaluating_again_creates_nothing_new(db: Session, factories: Factories) -> None:
    place = clinic(factories)
    enrollment = enroll(factories, place)
    steady(factories, place, enrollment)
    event(db, enrollment, date(2026, 1, 20))
    assert evaluate(db, SYSTEM, program_id=place.program.id).created == 1
    again = evaluate(db, SYSTEM, program_id=place.program.id)
    assert (again.created, again.superseded, again.applied) == (0, 0, 0)
    assert len(recommendations(db, enrollment)) == 1


def test_new_evaluation_supersedes_what_no_longer_holds(db: Session, factories: Factories) -> None:
    place = clinic(factories)
    enrollment = enroll(factories, place)
    steady(factories, place, enrollment)
    evaluate(db, SYSTEM, program_id=place.program.id)
    for offset in (1, 2, 3):
        session(factories, place, enrollment, AS_OF - timedelta(days=offset), "absent_unexcused")
    counts = evaluate(db, SYSTEM, program_id=place.program.id)
    assert counts.superseded == 1
    by_status = {r.status: r.action for r in recommendations(db, enrollment)}
    # Attendance fell to 10/13: no step-down; two unexcused absences in 7 days: step up
    # is impossible from the first phase, so nothing replaces it.
    assert by_status == {"superseded": "step_down"}


def test_manual_phase_change_supersedes_and_makes_approval_stale(
    db: Session, factories: Factories
) -> None:
    place = clinic(factories)
    enrollment = enroll(factories, place)
    steady(factories, place, enrollment)
    evaluate(db, SYSTEM, program_id=place.program.id)
    [pending] = recommendations(db, enrollment, "pending")
    flows.change_phase_by_hand(
        db, SYSTEM, enrollment.id, ChangePhaseRequest(phase_id=place.phases[2].id, reason="hand")
    )
    # The change by hand retires the proposal at once; approving it is refused.
    db.refresh(pending)
    assert pending.status == "superseded"
    with pytest.raises(RecommendationDecided):
        review.approve(db, SYSTEM, pending.id, ApproveRequest())


def test_supersede_hook_for_hand_made_phase_changes(db: Session, factories: Factories) -> None:
    place = clinic(factories)
    enrollment = enroll(factories, place)
    steady(factories, place, enrollment)
    use_rules(
        db,
        place,
        rule("down", "step_down", ALWAYS),
        rule("look", "review", ALWAYS),
    )
    evaluate(db, SYSTEM, program_id=place.program.id)
    assert review.supersede_phase_recommendations(db, enrollment.id) == 1
    assert {(r.action, r.status) for r in recommendations(db, enrollment)} == {
        ("step_down", "superseded"),
        ("review", "pending"),
    }


def test_stale_extension_approval_is_refused(db: Session, factories: Factories) -> None:
    place = clinic(factories)
    enrollment = enroll(factories, place)
    use_rules(db, place, rule("longer", "extend", ALWAYS, days=7))
    evaluate(db, SYSTEM, program_id=place.program.id)
    [pending] = recommendations(db, enrollment, "pending")
    enrollments.extend(db, SYSTEM, enrollment.id, ExtendRequest(days=3, reason="medical"))
    with pytest.raises(StaleRecommendation):
        review.approve(db, SYSTEM, pending.id, ApproveRequest())


def test_approve_extension_and_dismiss(db: Session, factories: Factories) -> None:
    place = clinic(factories)
    enrollment = enroll(factories, place)
    end = enrollment.expected_end_on
    assert end is not None
    event(db, enrollment, AS_OF - timedelta(days=1))
    use_rules(
        db,
        place,
        rule("longer", "extend", cmp("relapse_events", ">=", 1, 7), days=7),
        rule("look", "review", ALWAYS),
    )
    evaluate(db, SYSTEM, program_id=place.program.id)
    made = {r.action: r for r in recommendations(db, enrollment)}
    approved = review.approve(db, SYSTEM, made["extend"].id, ApproveRequest(note="agreed"))
    assert approved.status == "approved" and approved.decision_note == "agreed"
    db.refresh(enrollment)
    assert enrollment.expected_end_on == end + timedelta(days=7)
    [extension] = db.scalars(select(Extension).where(Extension.enrollment_id == enrollment.id))
    assert extension.reason == "relapse" and extension.days == 7
    dismissed = review.dismiss(db, SYSTEM, made["review"].id, DismissRequest(reason="seen"))
    assert dismissed.status == "dismissed" and dismissed.decision_note == "seen"
    with pytest.raises(RecommendationDecided):
        review.dismiss(db, SYSTEM, made["review"].id, DismissRequest(reason="again"))
    # Acted on and turned down: the same evidence proposes neither again.
    assert evaluate(db, SYSTEM, program_id=place.program.id).created == 0


def test_auto_mode_applies_once_with_evidence(db: Session, factories: Factories) -> None:
    place = clinic(factories)
    enrollment = enroll(factories, place)
    end = enrollment.expected_end_on
    assert end is not None
    event(db, enrollment, AS_OF - timedelta(days=3))
    # The default rule set extends by 14 days, automatically, after a relapse.
    counts = evaluate(db, SYSTEM, program_id=place.program.id)
    assert counts.applied == 1
    [applied] = recommendations(db, enrollment, "applied")
    assert applied.action == "extend" and applied.days == 14 and applied.mode == "auto"
    assert applied.evidence[0]["metric"] == "relapse_events"
    assert applied.evidence[0]["value"] == 1 and applied.evidence[0]["held"] is True
    db.refresh(enrollment)
    assert enrollment.expected_end_on == end + timedelta(days=14)
    [extension] = db.scalars(select(Extension).where(Extension.enrollment_id == enrollment.id))
    assert (extension.days, extension.reason, extension.previous_end_on) == (14, "relapse", end)
    audit = db.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "enrollment.extend", AuditEvent.resource_id == str(enrollment.id)
        )
    )
    assert audit is not None and audit.patient_id == enrollment.patient_id
    assert audit.detail == {
        "days": 14,
        "new_end_on": (end + timedelta(days=14)).isoformat(),
        "rule": "relapse extends the stay",
        "automatic": True,
    }
    assert not list(verify_chain(db))
    again = evaluate(db, SYSTEM, program_id=place.program.id)
    assert (again.created, again.applied) == (0, 0)
    db.refresh(enrollment)
    assert enrollment.expected_end_on == end + timedelta(days=14)


def test_auto_step_down_moves_the_enrollment(db: Session, factories: Factories) -> None:
    place = clinic(factories)
    enrollment = enroll(factories, place)
    use_rules(db, place, rule("down", "step_down", ALWAYS, mode="auto"))
    assert evaluate(db, SYSTEM, program_id=place.program.id).applied == 1
    db.refresh(enrollment)
    assert enrollment.current_phase_id == place.phases[1].id
    assert enrollment.phase_started_on == AS_OF
    assert enrollment.version == 2
    moved = db.scalar(
        select(PhaseChange).where(
            PhaseChange.enrollment_id == enrollment.id, PhaseChange.effective_on == AS_OF
        )
    )
    assert moved is not None and moved.from_phase_id == place.phases[0].id
    # Applied once: the same evidence does not move it again.
    assert evaluate(db, SYSTEM, program_id=place.program.id).applied == 0


def test_a_recommendation_beside_automatic_changes_describes_the_enrollment_after_them(
    db: Session, factories: Factories
) -> None:
    place = clinic(factories)
    enrollment = enroll(factories, place)
    use_rules(
        db,
        place,
        rule("down", "step_down", ALWAYS, mode="auto"),
        rule("longer", "extend", ALWAYS, mode="auto", days=7),
        rule("look", "review", ALWAYS),
    )
    assert evaluate(db, SYSTEM, program_id=place.program.id).applied == 2
    db.refresh(enrollment)
    assert enrollment.current_phase_id == place.phases[1].id and enrollment.version == 3
    [pending] = recommendations(db, enrollment, "pending")
    # Stale-checked at approval against the enrollment as it is now: both changes in.
    assert pending.enrollment_fingerprint == fingerprint(enrollment, Action.review)
    approved = review.approve(db, SYSTEM, pending.id, ApproveRequest(note="seen"))
    assert approved.status == "approved"


def test_a_cohorts_automatic_changes_are_stored_as_each_would_be_alone(
    db: Session, factories: Factories
) -> None:
    place = clinic(factories)
    moved, extended, both = (enroll(factories, place) for _ in range(3))
    last = enroll(factories, place, phase=3)
    cohort = metrics.given_cohort([e.id for e in (moved, extended, both, last)])

    def stored_states() -> dict[Any, metrics.EnrollmentState]:
        timezone = place.program.timezone
        return metrics.compute(
            db, cohort, timezone=timezone, as_of=AS_OF, keys=[], now=NOW
        ).enrollments

    before = stored_states()

    def change(enrollment: Enrollment, action: Action, days: int | None = None) -> AutoChange:
        extra = {"days": days} if days else {}
        made = Rule.model_validate(rule(action.value, action.value, ALWAYS, mode="auto", **extra))
        proposed = place.phases[1].id if action == Action.step_down else None
        return AutoChange(
            before[enrollment.id],
            Decision(made, action, enrollment.current_phase_id, proposed, days),
        )

    changes = [
        change(moved, Action.step_down),
        change(extended, Action.extend, days=10),
        change(both, Action.extend, days=14),
        change(both, Action.step_down),
        change(last, Action.complete),
    ]
    applied = apply_in_bulk(db, SYSTEM, changes, AS_OF, NOW)
    assert len(applied) == len(changes)
    stored = stored_states()
    assert metrics.stored_states(db, stored) == stored
    phase_1 = place.phases[1].id

    # Each change bumps the version once: a move sets the phase and its start day.
    assert stored[moved.id] == replace(
        before[moved.id],
        current_phase_id=phase_1,
        phase_started_on=AS_OF,
        version=before[moved.id].version + 1,
    )
    assert stored[extended.id] == replace(
        before[extended.id],
        expected_end_on=(before[extended.id].expected_end_on or AS_OF) + timedelta(days=10),
        version=before[extended.id].version + 1,
    )
    assert stored[both.id] == replace(
        before[both.id],
        current_phase_id=phase_1,
        phase_started_on=AS_OF,
        expected_end_on=(before[both.id].expected_end_on or AS_OF) + timedelta(days=14),
        version=before[both.id].version + 2,
    )
    assert stored[last.id] == replace(
        before[last.id], status=EnrollmentStatus.completed, version=before[last.id].version + 1
    )


def test_auto_complete_rerosters_and_leaves_the_cohort(db: Session, factories: Factories) -> None:
    place = clinic(factories)
    enrollment = enroll(factories, place, phase=3)
    upcoming = factories.session(
        place.program,
        local(AS_OF + timedelta(days=3), 9),
        slot=place.slots[0],
        roster=[enrollment],
    )
    use_rules(db, place, rule("done", "complete", ALWAYS, mode="auto"))
    counts = evaluate(db, SYSTEM, program_id=place.program.id)
    assert counts.applied == 1
    db.refresh(enrollment)
    assert (enrollment.status, enrollment.completed_on) == ("completed", AS_OF)
    rostered = db.scalars(select(RosterEntry).where(RosterEntry.session_id == upcoming.id))
    assert list(rostered) == []
    assert evaluate(db, SYSTEM, program_id=place.program.id).enrollments == 0


def test_query_count_is_constant_in_cohort_size(db: Session, factories: Factories) -> None:
    counts = []
    for size in (3, 20):
        place = clinic(factories)
        for _ in range(size):
            enrollment = enroll(factories, place)
            session(factories, place, enrollment, AS_OF - timedelta(days=1), "present")
        use_rules(db, place, rule("look", "review", ALWAYS), rule("down", "step_down", ALWAYS))
        with count_queries(db) as statements:
            made = evaluate(db, SYSTEM, program_id=place.program.id)
        assert made.created == 2 * size
        counts.append(len(statements))
        # The recommendations are written by one statement, which the count includes.
        writes = [s for s in statements if "tapering_recommendations (" in s]
        assert len(writes) == 1, writes
    assert counts[0] == counts[1]


def test_programs_in_several_timezones_are_evaluated_together(
    db: Session, factories: Factories
) -> None:
    """At NOW it is already the next day in Tokyo: each program is evaluated on its own day."""
    made = {}
    for timezone in ("America/Chicago", "Asia/Tokyo"):
        place = clinic(factories)
        place.program.timezone = timezone
        made[timezone] = enroll(factories, place)
        session(factories, place, made[timezone], AS_OF - timedelta(days=1), "present")
        use_rules(db, place, rule("look", "review", ALWAYS))
    counts = evaluate(db, SYSTEM)
    assert (counts.programs, counts.enrollments, counts.created) == (2, 2, 2)
    for timezone, day in (("America/Chicago", AS_OF), ("Asia/Tokyo", AS_OF + timedelta(days=1))):
        [recommendation] = recommendations(db, made[timezone])
        assert recommendation.as_of == day
        [evidence] = recommendation.evidence
        assert evidence["metric"] == "days_enrolled"
        assert evidence["value"] == (day - made[timezone].admitted_on).days


def test_evaluation_gives_its_transaction_room_to_aggregate(
    db: Session, factories: Factories
) -> None:
    if db.connection().dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has no per-transaction working memory")
    place = clinic(factories)
    enroll(factories, place)
    evaluate(db, SYSTEM, program_id=place.program.id)
    assert db.execute(text("SHOW work_mem")).scalar_one() == "64MB"
    db.rollback()
    assert db.execute(text("SHOW work_mem")).scalar_one() != "64MB"
