"""Every metric's exact value on hand-built scenarios."""

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from homeward.homework.models import HomeworkStatus
from homeward.progress import metrics
from homeward.progress.metrics import MetricKey
from homeward.tapering.rules import Metric
from tests.factories import Factories
from tests.statements import count_queries
from tests.tapering.helpers import (
    AS_OF,
    NOW,
    TIMEZONE,
    Clinic,
    clinic,
    enroll,
    event,
    homework,
    local,
    session,
)

M = Metric


def measure(
    db: Session, place: Clinic, *keys: MetricKey, as_of: date = AS_OF
) -> metrics.CohortMetrics:
    return metrics.compute(
        db,
        metrics.active_cohort([place.program.id]),
        timezone=TIMEZONE,
        as_of=as_of,
        keys=keys or metrics.default_keys(),
        now=NOW,
    )


def days_ago(n: int) -> date:
    return AS_OF - timedelta(days=n)


def test_attendance_metrics_exact(db: Session, factories: Factories) -> None:
    place = clinic(factories)
    enrollment = enroll(factories, place)
    for n, status in enumerate(["present", "present", "present", "late", "left_early"]):
        session(factories, place, enrollment, days_ago(n), status)
    session(factories, place, enrollment, days_ago(5), "absent_excused")
    session(factories, place, enrollment, days_ago(8), "absent_unexcused")
    session(factories, place, enrollment, days_ago(9), "absent_unexcused")
    # Left out everywhere: unrecorded, cancelled, not ended yet, before the window.
    session(factories, place, enrollment, days_ago(10), None)
    session(factories, place, enrollment, days_ago(11), "present", cancelled=True)
    session(factories, place, enrollment, AS_OF, None, hour=19, minutes=120)
    session(factories, place, enrollment, days_ago(14), "present")

    measured = measure(
        db,
        place,
        MetricKey(M.attendance_rate, 14),
        MetricKey(M.hours_attended_per_week, 14),
        MetricKey(M.unexcused_absences, 14),
        MetricKey(M.attendance_rate, 7),
        MetricKey(M.unexcused_absences, 7),
    )
    values = measured.values[enrollment.id]
    # 5 attended of 8 recorded minus 1 excused.
    assert values[MetricKey(M.attendance_rate, 14)] == pytest.approx(5 / 7)
    # 3 x 180 + 150 + 90 minutes over two weeks.
    assert values[MetricKey(M.hours_attended_per_week, 14)] == pytest.approx(780 / 60 / 2)
    assert values[MetricKey(M.unexcused_absences, 14)] == 2
    assert values[MetricKey(M.attendance_rate, 7)] == pytest.approx(5 / 5)
    assert values[MetricKey(M.unexcused_absences, 7)] == 0
    assert measured.unrecorded[enrollment.id] == {7: 0, 14: 1}


def test_windows_follow_the_programs_local_days(db: Session, factories: Factories) -> None:
    place = clinic(factories)
    enrollment = enroll(factories, place)
    # 18:00-19:30 local on as_of is the next day in UTC: inside.
    session(factories, place, enrollment, AS_OF, "present", hour=18, minutes=90)
    # Ends 23:30 local the day before, as_of's date in UTC: outside a 1-day window.
    session(factories, place, enrollment, days_ago(1), "absent_unexcused", hour=23, minutes=30)
    values = measure(db, place, MetricKey(M.attendance_rate, 1)).values[enrollment.id]
    assert values[MetricKey(M.attendance_rate, 1)] == 1.0
    values = measure(db, place, MetricKey(M.attendance_rate, 2)).values[enrollment.id]
    assert values[MetricKey(M.attendance_rate, 2)] == 0.5


def test_homework_completion_rate_exact(db: Session, factories: Factories) -> None:
    place = clinic(factories)
    enrollment = enroll(factories, place)
    homework(db, enrollment, local(days_ago(1), 9), HomeworkStatus.submitted, local(days_ago(2), 9))
    homework(db, enrollment, local(days_ago(2), 9), HomeworkStatus.reviewed, local(days_ago(1), 9))
    # Submitted late still counts; so does a submission time without the status.
    homework(db, enrollment, local(days_ago(3), 9), HomeworkStatus.assigned, local(days_ago(1), 9))
    homework(db, enrollment, local(days_ago(4), 9))  # missed
    homework(db, enrollment, local(AS_OF, 21))  # not due yet
    homework(db, enrollment, local(days_ago(20), 9))  # before the window
    values = measure(db, place, MetricKey(M.homework_completion_rate, 14)).values[enrollment.id]
    assert values[MetricKey(M.homework_completion_rate, 14)] == 0.75


def test_use_events_and_days_since_last_use(db: Session, factories: Factories) -> None:
    place = clinic(factories)
    enrollment = enroll(factories, place, phase=2, phase_started_on=date(2026, 2, 10))
    event(db, enrollment, days_ago(2), "relapse")
    event(db, enrollment, days_ago(5), "drug_screen", "positive")
    event(db, enrollment, days_ago(1), "drug_screen", "negative")
    event(db, enrollment, days_ago(1), "crisis")
    event(db, enrollment, days_ago(20), "relapse")
    event(db, enrollment, AS_OF + timedelta(days=1), "relapse")  # after as_of
    values = measure(db, place).values[enrollment.id]
    assert values[MetricKey(M.relapse_events, 7)] == 2
    assert values[MetricKey(M.relapse_events, 28)] == 3
    assert values[MetricKey(M.days_since_last_use)] == 2
    assert values[MetricKey(M.days_in_phase)] == (AS_OF - date(2026, 2, 10)).days
    assert values[MetricKey(M.days_enrolled)] == (AS_OF - date(2026, 1, 5)).days


def test_no_data(db: Session, factories: Factories) -> None:
    place = clinic(factories)
    enrollment = enroll(factories, place)
    session(factories, place, enrollment, days_ago(1), None)  # rostered, nothing recorded
    values = measure(db, place).values[enrollment.id]
    for window in metrics.DEFAULT_WINDOWS:
        assert values[MetricKey(M.attendance_rate, window)] is None
        assert values[MetricKey(M.hours_attended_per_week, window)] is None
        assert values[MetricKey(M.unexcused_absences, window)] is None
        assert values[MetricKey(M.homework_completion_rate, window)] is None
        assert values[MetricKey(M.relapse_events, window)] == 0
    # No use recorded: counted from admission.
    assert values[MetricKey(M.days_since_last_use)] == (AS_OF - date(2026, 1, 5)).days


def test_only_excused_absences_leave_the_rate_without_data(
    db: Session, factories: Factories
) -> None:
    place = clinic(factories)
    enrollment = enroll(factories, place)
    session(factories, place, enrollment, days_ago(1), "absent_excused")
    values = measure(db, place).values[enrollment.id]
    assert values[MetricKey(M.attendance_rate, 7)] is None
    assert values[MetricKey(M.hours_attended_per_week, 7)] == 0
    assert values[MetricKey(M.unexcused_absences, 7)] == 0


def test_a_cohort_is_measured_in_one_query_whatever_its_size(
    db: Session, factories: Factories
) -> None:
    counts = []
    for size in (3, 20):
        place = clinic(factories)
        for _ in range(size):
            enrollment = enroll(factories, place)
            session(factories, place, enrollment, days_ago(1), "present")
            homework(db, enrollment, local(days_ago(1), 9))
            event(db, enrollment, days_ago(3))
        with count_queries(db) as statements:
            measured = measure(db, place)
        assert len(measured.enrollments) == size
        counts.append(len(statements))
    assert counts[0] == counts[1] == 1
