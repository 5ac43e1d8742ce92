"""A deterministic demo clinic for `make run` and for trying the product.

Staff of every role, three programs, about 120 clients and ten weeks of history
ending today (`clock.now()`): admissions, phase changes along the taper, sessions
for the past ten weeks and the next two with their rosters, attendance, nightly
homework, drug screens, relapses, extensions, completions and discharges. Every
random choice, ids included, comes from one `random.Random(seed)`, so the same
seed on the same day gives the same clinic. History rows go in with bulk inserts.
"""

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import NamedTuple

from sqlalchemy.orm import Session

from homeward import clock
from homeward.auth.models import Role, User
from homeward.auth.passwords import hash_password
from homeward.homework.models import HomeworkCategory, HomeworkTemplate
from homeward.programs.levels import ASAM_EDITION, LevelOfCare, Population
from homeward.programs.models import Phase, Program, SessionType, Slot
from homeward.progress.metrics import today_in
from homeward.seed.demo_history import build_history
from homeward.seed.demo_plan import HISTORY_DAYS, DemoContext, DemoEnrollment
from homeward.seed.history import new_id

DEMO_PASSWORD = "tulip-harbor-lantern-58"
DEMO_STAFF = [
    ("admin@homeward.example", "Avery Admin", Role.admin),
    ("clinician@homeward.example", "Casey Clinician", Role.clinician),
    ("therapist@homeward.example", "Terry Therapist", Role.clinician),
    ("medical@homeward.example", "Morgan Medical", Role.medical),
    ("intake@homeward.example", "Indy Intake", Role.intake),
    ("viewer@homeward.example", "Vic Viewer", Role.viewer),
]
WEEKDAYS = range(5)
HOMEWORK_TEMPLATES = [
    ("Trigger journal", HomeworkCategory.trigger_journal, "Note today's triggers and responses."),
    ("Coping skill practice", HomeworkCategory.coping_skills_practice, "Practise one skill."),
    ("Reading: the disease of addiction", HomeworkCategory.reading, "Read the chapter."),
    ("Meeting reflection", HomeworkCategory.meeting_reflection, "Reflect on today's meeting."),
    ("Relapse prevention plan", HomeworkCategory.relapse_prevention_plan, "Update your plan."),
]


class SlotDetails(NamedTuple):
    """What a weekly slot is, whichever weekdays it recurs on."""

    start: time
    end: time
    session_type: SessionType
    title: str
    facilitator: str | None  # a demo login's name before the @, or None for a peer group
    room: str


@dataclass
class _Builder:
    """Hands out deterministic ids while the programs are assembled."""

    rng: random.Random
    staff: dict[str, User] = field(default_factory=dict)

    def slot(self, program: Program, weekday: int, details: SlotDetails) -> Slot:
        slot = Slot(
            id=new_id(self.rng),
            weekday=weekday,
            start_time=details.start,
            end_time=details.end,
            session_type=details.session_type,
            title=details.title,
            facilitator=self.staff[details.facilitator] if details.facilitator else None,
            room=details.room,
            capacity=16,
        )
        program.slots.append(slot)
        return slot

    def weekly(self, program: Program, weekdays: Iterable[int], details: SlotDetails) -> list[Slot]:
        """The same slot on each of `weekdays`, in that order."""
        return [self.slot(program, weekday, details) for weekday in weekdays]

    def phase(
        self, name: str, order: int, min_days: int, slots: list[Slot], individual: int = 1
    ) -> Phase:
        return Phase(
            id=new_id(self.rng),
            name=name,
            order=order,
            individual_sessions_per_week=individual,
            min_days=min_days,
            slots=slots,
        )

    def program(self, **values: object) -> Program:
        return Program(id=new_id(self.rng), level_of_care_edition=ASAM_EDITION, **values)


_DAY_MORNING_GROUP = SlotDetails(
    time(9),
    time(12),
    SessionType.group_therapy,
    "Morning process group",
    "clinician",
    "Group room A",
)
_DAY_EDUCATION = SlotDetails(
    time(13), time(15), SessionType.education, "Recovery education", "therapist", "Classroom"
)
_TWELVE_STEP = SlotDetails(
    time(15), time(17), SessionType.twelve_step, "12-step meeting", None, "Group room B"
)
_DAY_LATE_AFTERNOONS = {
    0: _TWELVE_STEP,
    1: SlotDetails(
        time(15), time(17), SessionType.medical, "Medical check-in", "medical", "Clinic"
    ),
    2: _TWELVE_STEP,
    3: SlotDetails(
        time(15), time(17), SessionType.family, "Family program", "therapist", "Group room A"
    ),
    4: _TWELVE_STEP,
}
_DAY_EVENING_GROUP = SlotDetails(
    time(18),
    time(21),
    SessionType.group_therapy,
    "Evening step-down group",
    "clinician",
    "Group room B",
)


def _day_program(b: _Builder) -> Program:
    """Five weekdays 9 to 5 at first, then three days, then two evenings."""
    program = b.program(
        name="Day IOP",
        description=(
            "Weekday intensive outpatient program: five days a week, 9 to 5, at first; "
            "tapering to three days, then to two evenings."
        ),
        level_of_care=LevelOfCare.intensive_outpatient,
        population=Population.adult,
        capacity=40,
        timezone="America/Chicago",
        default_length_days=60,
        services_offered=[t.value for t in SessionType],
        accepts_step_down=True,
    )
    mornings = b.weekly(program, WEEKDAYS, _DAY_MORNING_GROUP)
    education = b.weekly(program, WEEKDAYS, _DAY_EDUCATION)
    afternoons = [b.slot(program, d, details) for d, details in _DAY_LATE_AFTERNOONS.items()]
    evenings = b.weekly(program, (1, 3), _DAY_EVENING_GROUP)
    three_days = (0, 2, 4)
    program.phases = [
        b.phase("Phase 1: five days, 9 to 5", 1, 14, [*mornings, *education, *afternoons]),
        b.phase(
            "Phase 2: three days",
            2,
            14,
            [*(mornings[d] for d in three_days), *(education[d] for d in three_days)],
        ),
        b.phase("Phase 3: two evenings", 3, 14, evenings),
    ]
    return program


_EVENING_GROUP = SlotDetails(
    time(18), time(21), SessionType.group_therapy, "Evening group", "therapist", "Group room A"
)
_RELAPSE_PREVENTION_CLASS = SlotDetails(
    time(18),
    time(20),
    SessionType.education,
    "Relapse prevention class",
    "clinician",
    "Classroom",
)


def _evening_program(b: _Builder) -> Program:
    program = b.program(
        name="Evening IOP",
        description="For clients who work days: four evenings a week, then two.",
        level_of_care=LevelOfCare.intensive_outpatient,
        population=Population.adult,
        capacity=30,
        timezone="America/Chicago",
        default_length_days=90,
        services_offered=["group_therapy", "education", "twelve_step"],
        accepts_step_down=True,
    )
    groups = b.weekly(program, (0, 1, 3), _EVENING_GROUP)
    education = b.slot(program, 2, _RELAPSE_PREVENTION_CLASS)
    program.phases = [
        b.phase("Evenings: full", 1, 21, [*groups, education]),
        b.phase("Evenings: taper", 2, 21, [groups[0], groups[2]]),
    ]
    return program


_PHP_MORNING_GROUP = SlotDetails(
    time(8), time(12), SessionType.group_therapy, "PHP morning group", "therapist", "PHP suite"
)
_PHP_MEDICAL_ROUNDS = SlotDetails(
    time(13), time(14), SessionType.medical, "PHP medical rounds", "medical", "Clinic"
)


def _partial_hospitalization(b: _Builder) -> Program:
    program = b.program(
        name="Partial Hospitalization",
        description="Five full days a week with medical support.",
        level_of_care=LevelOfCare.partial_hospitalization,
        population=Population.adult,
        capacity=20,
        timezone="America/New_York",
        default_length_days=30,
        services_offered=[t.value for t in SessionType],
        accepts_step_down=False,
    )
    days = b.weekly(program, WEEKDAYS, _PHP_MORNING_GROUP)
    rounds = b.weekly(program, WEEKDAYS, _PHP_MEDICAL_ROUNDS)
    program.phases = [b.phase("PHP", 1, 10, [*days, *rounds], individual=2)]
    return program


# (program index, count, kind): who is in the clinic. Capacity counts active + on hold.
_COHORTS = [
    (0, 34, "active"),
    (0, 1, "on_hold"),
    (0, 8, "completed"),
    (0, 6, "discharged"),
    (0, 3, "pending"),
    (1, 27, "active"),
    (1, 1, "on_hold"),
    (1, 8, "discharged"),
    (1, 2, "pending"),
    (2, 16, "active"),
    (2, 8, "completed"),
    (2, 4, "discharged"),
    (2, 2, "pending"),
]


def _plan_enrollment(
    rng: random.Random, program: Program, kind: str, today: date
) -> DemoEnrollment:
    """Dates for one enrollment of `kind`, all inside the ten weeks of history."""
    window_start = today - timedelta(days=HISTORY_DAYS - 1)
    length = program.default_length_days
    plan = DemoEnrollment(id=new_id(rng), program=program, kind=kind)
    plan.reliability = rng.uniform(0.82, 0.99)
    if kind == "pending":
        plan.created_on = today - timedelta(days=rng.randint(0, 5))
        return plan
    if kind == "completed":
        latest = today - timedelta(days=length + 1)
        admitted = window_start + timedelta(days=rng.randint(0, (latest - window_start).days))
        plan.ends_on = admitted + timedelta(days=length)
    elif kind == "discharged":
        admitted = window_start + timedelta(days=rng.randint(0, HISTORY_DAYS - 15))
        stay = rng.randint(7, max(8, min(length - 5, (today - admitted).days - 1)))
        plan.ends_on = admitted + timedelta(days=stay)
        plan.reliability = rng.uniform(0.55, 0.8)
    elif kind == "on_hold":
        admitted = today - timedelta(days=rng.randint(20, min(length, HISTORY_DAYS) - 5))
        plan.ends_on = today - timedelta(days=rng.randint(1, 6))
    else:
        earliest = max(window_start, today - timedelta(days=length - 7))
        admitted = earliest + timedelta(days=rng.randint(0, (today - earliest).days))
        if rng.random() < 0.12:
            plan.reliability = rng.uniform(0.55, 0.75)
    plan.admitted_on = admitted
    plan.created_on = admitted - timedelta(days=rng.randint(1, 5))
    return plan


def _mark_struggles(rng: random.Random, plans: list[DemoEnrollment], today: date) -> None:
    """A few relapses with a step back up and an extension; one extension for support."""
    day_active = [
        p
        for p in plans
        if p.program.name == "Day IOP"
        and p.kind == "active"
        and p.admitted_on is not None
        and (today - p.admitted_on).days >= 35
    ]
    for plan in rng.sample(day_active, min(2, len(day_active))):
        assert plan.admitted_on is not None
        plan.relapse_on = plan.admitted_on + timedelta(days=rng.randint(22, 30))
        plan.reliability = rng.uniform(0.6, 0.75)
    evening_active = [
        p
        for p in plans
        if p.program.name == "Evening IOP" and p.kind == "active" and p.relapse_on is None
    ]
    if evening_active:
        rng.choice(evening_active).support_extension = True
    discharged = [p for p in plans if p.kind == "discharged" and p.ends_on is not None]
    for plan in rng.sample(discharged, min(2, len(discharged))):
        assert plan.admitted_on is not None and plan.ends_on is not None
        plan.discharge_reason = "against_medical_advice"
        if (plan.ends_on - plan.admitted_on).days > 3:
            plan.relapse_on = plan.ends_on - timedelta(days=rng.randint(1, 3))


def seed_demo_clinic(db: Session, seed: int = 7) -> list[tuple[str, str]]:
    """Create the demo clinic; returns the (email, role) logins it made.

    `seed` fixes every random choice, so the same seed gives the same clinic.
    """
    rng = random.Random(seed)
    now = clock.now()
    password_hash = hash_password(DEMO_PASSWORD)
    staff = {
        email: User(
            id=new_id(rng), email=email, full_name=name, role=role, password_hash=password_hash
        )
        for email, name, role in DEMO_STAFF
    }
    db.add_all(staff.values())
    builder = _Builder(rng, {email.split("@")[0]: user for email, user in staff.items()})
    programs = [
        _day_program(builder),
        _evening_program(builder),
        _partial_hospitalization(builder),
    ]
    db.add_all(programs)
    templates = [
        HomeworkTemplate(id=new_id(rng), title=title, category=category, instructions=text)
        for title, category, text in HOMEWORK_TEMPLATES
    ]
    db.add_all(templates)
    db.flush()

    plans: list[DemoEnrollment] = []
    for program_index, count, kind in _COHORTS:
        program = programs[program_index]
        today = today_in(program.timezone, now)
        plans.extend(_plan_enrollment(rng, program, kind, today) for _ in range(count))
    _mark_struggles(rng, plans, now.date())
    context = DemoContext(
        rng,
        now,
        templates,
        clinicians=[staff["clinician@homeward.example"], staff["therapist@homeward.example"]],
        medical=staff["medical@homeward.example"],
        intake=staff["intake@homeward.example"],
    )
    build_history(db, context, programs, plans)
    db.flush()
    return [(email, role.value) for email, _name, role in DEMO_STAFF]
