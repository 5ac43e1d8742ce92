"""What the demo's history is written from: each client's planned story, and the context
every row builder shares.

A story is planned before any row is made (`demo.py` plans admissions, ends and
struggles; `demo_enrollments.py` the phase history), and each of the demo's row
builders, patients, enrollments, sessions, homework and events, reads the same plan,
so the rows they write agree with one another.
"""

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from homeward.auth.models import User
from homeward.homework.models import HomeworkTemplate
from homeward.programs.models import Program
from homeward.seed.history import Stint

HISTORY_DAYS = 70


@dataclass
class DemoEnrollment:
    """One client's story, planned first and then written out as rows."""

    id: uuid.UUID
    program: Program
    kind: str  # pending, active, on_hold, completed or discharged
    reliability: float = 0.9
    created_on: date | None = None
    admitted_on: date | None = None
    # Completion, discharge or hold date: the client attends no session from this day on.
    ends_on: date | None = None
    relapse_on: date | None = None
    support_extension: bool = False
    discharge_reason: str | None = None
    patient_id: uuid.UUID | None = None
    clinician_id: uuid.UUID | None = None
    stints: list[Stint] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


@dataclass
class DemoContext:
    """The one random source, the clinic's `now`, and the staff and templates rows name."""

    rng: random.Random
    now: datetime
    templates: list[HomeworkTemplate]
    clinicians: list[User]
    medical: User
    intake: User
