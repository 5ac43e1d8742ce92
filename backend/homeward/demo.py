"""A deterministic demo clinic for `make run` and for trying the product."""

from datetime import time

from sqlalchemy.orm import Session

from homeward.auth.models import Role, User
from homeward.auth.passwords import hash_password
from homeward.programs.levels import ASAM_EDITION, LevelOfCare, Population
from homeward.programs.models import Phase, Program, SessionType, Slot

DEMO_PASSWORD = "demo-password-2026"
DEMO_STAFF = [
    ("admin@homeward.example", "Avery Admin", Role.admin),
    ("clinician@homeward.example", "Casey Clinician", Role.clinician),
    ("therapist@homeward.example", "Terry Therapist", Role.clinician),
    ("medical@homeward.example", "Morgan Medical", Role.medical),
    ("intake@homeward.example", "Indy Intake", Role.intake),
    ("viewer@homeward.example", "Vic Viewer", Role.viewer),
]
WEEKDAYS = range(5)


def _slot(
    program: Program,
    weekday: int,
    start: int,
    end: int,
    kind: SessionType,
    title: str,
    facilitator: User | None,
    room: str,
) -> Slot:
    slot = Slot(
        weekday=weekday,
        start_time=time(start),
        end_time=time(end),
        session_type=kind,
        title=title,
        facilitator=facilitator,
        room=room,
        capacity=16,
    )
    program.slots.append(slot)
    return slot


def _day_program(clinician: User, therapist: User, medical: User) -> Program:
    program = Program(
        name="Day IOP",
        description="Weekday intensive outpatient program, tapering over 8 weeks.",
        level_of_care=LevelOfCare.intensive_outpatient,
        level_of_care_edition=ASAM_EDITION,
        population=Population.adult,
        capacity=40,
        timezone="America/Chicago",
        default_length_days=60,
        services_offered=[t.value for t in SessionType],
        accepts_step_down=True,
    )
    mornings = [
        _slot(
            program,
            d,
            9,
            12,
            SessionType.group_therapy,
            "Morning process group",
            clinician,
            "Group room A",
        )
        for d in WEEKDAYS
    ]
    afternoons = [
        _slot(
            program, d, 13, 15, SessionType.education, "Recovery education", therapist, "Classroom"
        )
        for d in WEEKDAYS
    ]
    twelve_step = [
        _slot(program, d, 15, 16, SessionType.twelve_step, "12-step meeting", None, "Group room B")
        for d in (0, 2, 4)
    ]
    medical_slot = _slot(
        program, 1, 16, 17, SessionType.medical, "Medical check-in", medical, "Clinic"
    )
    family = _slot(
        program, 3, 16, 17, SessionType.family, "Family program", therapist, "Group room A"
    )
    program.phases = [
        Phase(
            name="Phase 1: stabilize",
            order=1,
            individual_sessions_per_week=1,
            min_days=14,
            slots=[*mornings, *afternoons, *twelve_step, medical_slot, family],
        ),
        Phase(
            name="Phase 2: build",
            order=2,
            individual_sessions_per_week=1,
            min_days=14,
            slots=[
                mornings[0],
                mornings[2],
                mornings[4],
                afternoons[0],
                afternoons[2],
                twelve_step[0],
                twelve_step[1],
                family,
            ],
        ),
        Phase(
            name="Phase 3: step down",
            order=3,
            individual_sessions_per_week=1,
            min_days=14,
            slots=[mornings[1], mornings[3], twelve_step[2]],
        ),
    ]
    return program


def _evening_program(clinician: User, therapist: User) -> Program:
    program = Program(
        name="Evening IOP",
        description="For clients who work days: three evenings a week.",
        level_of_care=LevelOfCare.intensive_outpatient,
        level_of_care_edition=ASAM_EDITION,
        population=Population.adult,
        capacity=30,
        timezone="America/Chicago",
        default_length_days=90,
        services_offered=["group_therapy", "education", "twelve_step"],
        accepts_step_down=True,
    )
    groups = [
        _slot(
            program,
            d,
            18,
            21,
            SessionType.group_therapy,
            "Evening group",
            therapist,
            "Group room A",
        )
        for d in (0, 1, 3)
    ]
    education = _slot(
        program,
        2,
        18,
        20,
        SessionType.education,
        "Relapse prevention class",
        clinician,
        "Classroom",
    )
    program.phases = [
        Phase(
            name="Evenings: full",
            order=1,
            individual_sessions_per_week=1,
            min_days=21,
            slots=[*groups, education],
        ),
        Phase(
            name="Evenings: taper",
            order=2,
            individual_sessions_per_week=1,
            min_days=21,
            slots=[groups[0], groups[2]],
        ),
    ]
    return program


def _partial_hospitalization(clinician: User, medical: User) -> Program:
    program = Program(
        name="Partial Hospitalization",
        description="Five full days a week with medical support.",
        level_of_care=LevelOfCare.partial_hospitalization,
        level_of_care_edition=ASAM_EDITION,
        population=Population.adult,
        capacity=20,
        timezone="America/New_York",
        default_length_days=30,
        services_offered=[t.value for t in SessionType],
        accepts_step_down=False,
    )
    days = [
        _slot(
            program,
            d,
            8,
            12,
            SessionType.group_therapy,
            "PHP morning group",
            clinician,
            "PHP suite",
        )
        for d in WEEKDAYS
    ]
    afternoons = [
        _slot(program, d, 13, 14, SessionType.medical, "PHP medical rounds", medical, "Clinic")
        for d in WEEKDAYS
    ]
    program.phases = [
        Phase(
            name="PHP",
            order=1,
            individual_sessions_per_week=2,
            min_days=10,
            slots=[*days, *afternoons],
        )
    ]
    return program


def seed_demo_clinic(db: Session, seed: int = 7) -> list[tuple[str, str]]:
    """Create the demo clinic; returns the (email, role) logins it made.

    `seed` fixes every random choice, so the same seed gives the same clinic.
    """
    password_hash = hash_password(DEMO_PASSWORD)
    staff = {
        email: User(email=email, full_name=name, role=role, password_hash=password_hash)
        for email, name, role in DEMO_STAFF
    }
    db.add_all(staff.values())
    clinician = staff["clinician@homeward.example"]
    therapist = staff["therapist@homeward.example"]
    medical = staff["medical@homeward.example"]
    db.add_all(
        [
            _day_program(clinician, therapist, medical),
            _evening_program(clinician, therapist),
            _partial_hospitalization(therapist, medical),
        ]
    )
    db.flush()
    return [(email, role.value) for email, _name, role in DEMO_STAFF]
