"""The demo's patients: demographics, a medical profile, contacts and a consent each.

One patient per planned enrollment, written before the enrollments that point at
them; nothing here depends on the rest of the story but the day the client was first
seen, which dates the detox and the consent.
"""

import random
import uuid
from datetime import date, timedelta

from homeward.seed.demo_plan import DemoContext, DemoEnrollment
from homeward.seed.history import Row, new_id

GIVEN_NAMES = [
    "Alex", "Jordan", "Taylor", "Morgan", "Riley", "Jamie", "Casey", "Drew", "Sam", "Robin",
    "Maria", "James", "Linda", "Michael", "Aisha", "Wei", "Carlos", "Priya", "Daniel", "Grace",
    "Noah", "Olivia", "Mateo", "Emma", "Liam", "Sofia", "Ethan", "Chloe", "Lucas", "Hannah",
]  # fmt: skip
FAMILY_NAMES = [
    "Smith", "Johnson", "Garcia", "Brown", "Nguyen", "Patel", "Miller", "Davis", "Lopez",
    "Wilson", "Anderson", "Thomas", "Moore", "Martin", "Lee", "Clark", "Lewis", "Walker",
    "Hall", "Young", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Hill",
]  # fmt: skip
RELATIONSHIPS = ["spouse", "partner", "parent", "sibling", "adult child", "friend"]
CONDITIONS = [
    ("Depression", "mental"),
    ("Generalized anxiety", "mental"),
    ("PTSD", "mental"),
    ("Hypertension", "physical"),
    ("Hepatitis C", "physical"),
    ("Type 2 diabetes", "physical"),
]
MEDICATIONS = [
    {"name": "Naltrexone", "dose": "50 mg", "schedule": "once daily"},
    {"name": "Buprenorphine/naloxone", "dose": "8 mg/2 mg", "schedule": "once daily"},
    {"name": "Sertraline", "dose": "50 mg", "schedule": "once daily"},
    {"name": "Acamprosate", "dose": "666 mg", "schedule": "three times daily"},
]


def patient_rows(ctx: DemoContext, plans: list[DemoEnrollment]) -> dict[str, list[Row]]:
    """A patient for each plan (its `patient_id` is set), with contacts and a consent."""
    rows: dict[str, list[Row]] = {"patients": [], "contacts": [], "consents": []}
    mrns: set[str] = set()
    for number, plan in enumerate(plans, start=1):
        first_seen = plan.created_on or ctx.now.date()
        patient = _patient_row(ctx.rng, plan, number, first_seen, mrns)
        plan.patient_id = patient["id"]
        contacts = _contact_rows(ctx.rng, patient["id"], patient["family_name"])
        rows["patients"].append(patient)
        rows["contacts"].extend(contacts)
        rows["consents"].append(_consent_row(ctx, patient["id"], contacts[0]["name"], first_seen))
    return rows


def _patient_row(
    rng: random.Random, plan: DemoEnrollment, number: int, first_seen: date, mrns: set[str]
) -> Row:
    while (mrn := f"HW-{rng.randint(100_000, 999_999)}") in mrns:
        pass
    mrns.add(mrn)
    given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
    profile = _medical_profile(rng, plan, first_seen)
    return {
        "id": new_id(rng),
        "mrn": mrn,
        "given_name": given,
        "family_name": family,
        "date_of_birth": date(1965, 1, 1) + timedelta(days=rng.randint(0, 14_000)),
        "sex": rng.choice(["female", "male", "female", "male", "intersex", "unknown"]),
        "phone": _phone(rng),
        "email": f"{given}.{family}{number}@example.com".lower(),
        "medical_profile": profile,
    }


def _medical_profile(rng: random.Random, plan: DemoEnrollment, first_seen: date) -> Row:
    """Detox (finished before admission), a couple of conditions, medications."""
    detox = rng.choices(["not_needed", "completed", "in_progress"], [5, 4, 1])[0]
    if plan.kind != "pending" and detox == "in_progress":
        detox = "completed"
    return {
        "detox_status": detox,
        "detox_completed_on": (
            (first_seen - timedelta(days=rng.randint(3, 20))).isoformat()
            if detox == "completed"
            else None
        ),
        "conditions": [
            {"name": name, "kind": kind, "treated": rng.random() < 0.85, "serious": False}
            for name, kind in rng.sample(CONDITIONS, rng.randint(0, 2))
        ],
        "medications": rng.sample(MEDICATIONS, rng.randint(0, 2)),
    }


def _contact_rows(rng: random.Random, patient_id: uuid.UUID, family: str) -> list[Row]:
    """One or two relatives or friends, sharing the patient's family name."""
    rows = []
    for _ in range(rng.randint(1, 2)):
        name = f"{rng.choice(GIVEN_NAMES)} {family}"
        rows.append(
            {
                "id": new_id(rng),
                "patient_id": patient_id,
                "name": name,
                "relationship_to_patient": rng.choice(RELATIONSHIPS),
                "phone": _phone(rng),
                "email": None,
                "joins_family_program": rng.random() < 0.5,
            }
        )
    return rows


def _consent_row(
    ctx: DemoContext, patient_id: uuid.UUID, first_contact: str, signed_on: date
) -> Row:
    """Signed at intake, for a year; a few are revoked a week later."""
    rng = ctx.rng
    return {
        "id": new_id(rng),
        "patient_id": patient_id,
        "recipient_partner_id": None,
        "recipient_name": rng.choice([f"{first_contact} (family)", "Primary care physician"]),
        "purpose": "Coordinate care and share progress in treatment",
        "scopes": rng.sample(["status_updates", "discharge_summary", "attendance"], 2),
        "signed_on": signed_on,
        "expires_on": signed_on + timedelta(days=365),
        "revoked_on": (
            signed_on + timedelta(days=7)
            if rng.random() < 0.03 and signed_on + timedelta(days=7) <= ctx.now.date()
            else None
        ),
        "created_by_id": ctx.intake.id,
    }


def _phone(rng: random.Random) -> str:
    return f"555-{rng.randint(200, 999)}-{rng.randint(1000, 9999)}"
