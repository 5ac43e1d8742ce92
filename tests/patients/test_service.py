import re
from datetime import date

import pytest
from pydantic import ValidationError
from sqlalchemy.orm import Session

from homeward.audit.service import Actor
from homeward.errors import InvalidInput
from homeward.pagination import PageParams
from homeward.patients import consents, service
from homeward.patients.exceptions import ConsentAlreadyRevoked, ContactNotFound
from homeward.patients.models import ConsentScope
from homeward.patients.schemas import (
    ConsentCreate,
    ConsentRevoke,
    ContactUpdate,
    MedicalProfile,
    PatientCreate,
    PatientUpdate,
)
from tests.enrollments.helpers import TODAY, audit_events, freeze
from tests.factories import Factories
from tests.patients.helpers import PATIENT

ACTOR = Actor.system()


@pytest.fixture(autouse=True)
def _frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    freeze(monkeypatch)


def _create(db: Session, **overrides: object) -> object:
    return service.create_patient(db, ACTOR, PatientCreate.model_validate(PATIENT | overrides))


def test_create_assigns_a_readable_unique_mrn_and_audits(db: Session) -> None:
    patient = service.create_patient(
        db,
        ACTOR,
        PatientCreate.model_validate(
            PATIENT
            | {
                "contacts": [
                    {"name": "Luis Reyes", "relationship_to_patient": "brother"},
                    {
                        "name": "Marta Reyes",
                        "relationship_to_patient": "mother",
                        "joins_family_program": True,
                    },
                ]
            }
        ),
    )
    assert re.fullmatch(r"HW-\d{6}", patient.mrn)
    assert [c.name for c in patient.contacts] == ["Luis Reyes", "Marta Reyes"]
    assert [c.joins_family_program for c in patient.contacts] == [False, True]
    other = _create(db, given_name="Bo")
    assert other.mrn != patient.mrn  # type: ignore[attr-defined]
    (event,) = [e for e in audit_events(db, "patient.create") if e.patient_id == patient.id]
    assert event.resource_id == str(patient.id)


def test_mrn_draws_again_on_collision(
    db: Session, factories: Factories, monkeypatch: pytest.MonkeyPatch
) -> None:
    factories.patient(mrn="HW-000042")
    draws = iter([42, 42, 43])
    monkeypatch.setattr(service.secrets, "randbelow", lambda _: next(draws))
    assert _create(db).mrn == "HW-000043"  # type: ignore[attr-defined]


def test_birth_date_must_be_plausible(db: Session) -> None:
    with pytest.raises(InvalidInput) as future:
        _create(db, date_of_birth="2026-03-03")
    assert future.value.errors and future.value.errors[0].loc == ["body", "date_of_birth"]
    with pytest.raises(ValidationError):  # before the earliest date any input may name
        _create(db, date_of_birth="1899-12-31")


def test_update_changes_demographics_and_refuses_null_names(db: Session) -> None:
    patient = _create(db)
    updated = service.update_patient(
        db,
        ACTOR,
        patient.id,
        PatientUpdate(family_name="Reyes-Ortiz", phone=None),  # type: ignore[attr-defined]
    )
    assert updated.family_name == "Reyes-Ortiz" and updated.phone is None
    with pytest.raises(ValidationError):
        PatientUpdate(given_name=None)
    (event,) = audit_events(db, "patient.update")
    assert event.patient_id == updated.id
    assert event.detail == {"changed": ["family_name", "phone"]}


def test_medical_profile_is_validated() -> None:
    with pytest.raises(ValidationError, match="required when detox_status is completed"):
        MedicalProfile.model_validate({"detox_status": "completed"})
    with pytest.raises(ValidationError, match="only set when detox_status is completed"):
        MedicalProfile.model_validate(
            {"detox_status": "in_progress", "detox_completed_on": "2026-01-01"}
        )
    with pytest.raises(ValidationError):
        MedicalProfile.model_validate(
            {"conditions": [{"name": "x", "kind": "spiritual", "treated": True, "serious": False}]}
        )
    profile = MedicalProfile.model_validate(
        {
            "detox_status": "completed",
            "detox_completed_on": "2026-02-01",
            "conditions": [
                {"name": "Depression", "kind": "mental", "treated": True, "serious": False}
            ],
            "medications": [{"name": "Buprenorphine", "dose": "8 mg", "schedule": "daily"}],
        }
    )
    assert profile.conditions[0].kind == "mental"


def test_medical_profile_replaces_the_whole_profile(db: Session) -> None:
    patient = _create(db, medical_profile={"detox_status": "in_progress"})
    replaced = service.replace_medical_profile(
        db,
        ACTOR,
        patient.id,  # type: ignore[attr-defined]
        MedicalProfile(detox_status="completed", detox_completed_on=date(2026, 2, 20)),
    )
    assert replaced.medical_profile == {
        "detox_status": "completed",
        "detox_completed_on": "2026-02-20",
        "conditions": [],
        "medications": [],
    }
    with pytest.raises(InvalidInput):
        service.replace_medical_profile(
            db,
            ACTOR,
            replaced.id,
            MedicalProfile(detox_status="completed", detox_completed_on=date(2026, 3, 9)),
        )


def test_contacts_add_update_delete(db: Session, factories: Factories) -> None:
    patient = factories.patient()
    contact = service.add_contact(
        db,
        ACTOR,
        patient.id,
        service.ContactCreate(name="Sam", relationship_to_patient="partner"),
    )
    updated = service.update_contact(
        db, ACTOR, patient.id, contact.id, ContactUpdate(joins_family_program=True)
    )
    assert updated.joins_family_program is True
    with pytest.raises(ContactNotFound):
        service.update_contact(
            db, ACTOR, factories.patient().id, contact.id, ContactUpdate(name="X")
        )
    service.delete_contact(db, ACTOR, patient.id, contact.id)
    assert service.list_contacts(db, ACTOR, patient.id) == []
    assert {e.action for e in audit_events(db, "contact.delete")} == {"contact.delete"}


def _names(db: Session, q: str) -> list[str]:
    page = service.list_patients(db, ACTOR, PageParams(limit=50), q)
    return [f"{p.given_name} {p.family_name}" for p in page.items]


def test_search_by_name_mrn_and_birth_date(db: Session, factories: Factories) -> None:
    factories.patient(given_name="Ann", family_name="Smithers", date_of_birth=date(1970, 5, 6))
    factories.patient(given_name="Joanna", family_name="Okafor", date_of_birth=date(1988, 1, 2))
    factories.patient(given_name="Ann", family_name="Jones", mrn="HW-123456")
    assert _names(db, "smith") == ["Ann Smithers"]
    assert _names(db, "ANN") == ["Ann Jones", "Joanna Okafor", "Ann Smithers"]
    assert _names(db, "ann smi") == ["Ann Smithers"]
    assert _names(db, "hw-123456") == ["Ann Jones"]
    assert _names(db, "HW-12345") == []
    assert _names(db, "1988-01-02") == ["Joanna Okafor"]
    assert _names(db, "100%") == []
    with pytest.raises(InvalidInput):
        _names(db, "1988-02-30")


def test_keyset_pages_follow_name_order(db: Session, factories: Factories) -> None:
    for given in ("Eve", "Cal", "Ada", "Bea", "Dan"):
        factories.patient(given_name=given, family_name="Zzpage")
    seen: list[str] = []
    cursor = None
    while True:
        page = service.list_patients(db, ACTOR, PageParams(limit=2, cursor=cursor), "zzpage")
        seen += [p.given_name for p in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == ["Ada", "Bea", "Cal", "Dan", "Eve"]
    (*_, last) = audit_events(db, "patient.list")
    assert last.detail == {"count": 1, "search": True}


# Consents


def _consent(**overrides: object) -> ConsentCreate:
    values: dict[str, object] = {
        "recipient_name": "Dr. Lee",
        "purpose": "Coordinate care",
        "scopes": ["status_updates"],
        "signed_on": "2026-02-01",
        "expires_on": "2026-08-01",
    }
    return ConsentCreate.model_validate(values | overrides)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"recipient_name": None}, "exactly one of"),
        ({"recipient_partner_id": "9f0c5c36-29f3-4a0e-9d7e-8f8d9c9a5b11"}, "exactly one of"),
        ({"scopes": []}, "at least 1"),
        ({"scopes": ["status_updates", "status_updates"]}, "must not repeat"),
        ({"scopes": ["billing"]}, "status_updates"),
        ({"expires_on": "2026-02-01"}, "after signed_on"),
        ({"expires_on": None}, "valid date"),
    ],
)
def test_consent_input_is_validated(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _consent(**overrides)


def test_consent_to_partner_takes_its_name_and_must_exist(
    db: Session, factories: Factories
) -> None:
    patient, partner = factories.patient(), factories.partner(name="Cedar House")
    consent = consents.create_consent(
        db,
        ACTOR,
        patient.id,
        _consent(recipient_name=None, recipient_partner_id=str(partner.id)),
    )
    assert consent.recipient_name == "Cedar House"
    assert consent.active is True
    with pytest.raises(InvalidInput) as missing:
        consents.create_consent(
            db,
            ACTOR,
            patient.id,
            _consent(recipient_name=None, recipient_partner_id=str(factories.patient().id)),
        )
    assert missing.value.errors and missing.value.errors[0].loc == [
        "body",
        "recipient_partner_id",
    ]
    with pytest.raises(InvalidInput):
        consents.create_consent(
            db, ACTOR, patient.id, _consent(signed_on="2026-03-03", expires_on="2026-04-01")
        )


def test_revoke_once(db: Session, factories: Factories) -> None:
    patient = factories.patient()
    consent = consents.create_consent(db, ACTOR, patient.id, _consent())
    revoked = consents.revoke_consent(db, ACTOR, patient.id, consent.id)
    assert revoked.revoked_on == TODAY and revoked.active is False
    with pytest.raises(ConsentAlreadyRevoked):
        consents.revoke_consent(db, ACTOR, patient.id, consent.id)
    later = consents.create_consent(db, ACTOR, patient.id, _consent())
    with pytest.raises(InvalidInput):
        consents.revoke_consent(
            db, ACTOR, patient.id, later.id, ConsentRevoke(revoked_on=date(2026, 1, 1))
        )
    assert [e.patient_id for e in audit_events(db, "consent.revoke")] == [patient.id]


def test_consent_allows_only_its_partner_scope_and_dates(db: Session, factories: Factories) -> None:
    patient, partner, other = factories.patient(), factories.partner(), factories.partner()
    consent = consents.create_consent(
        db,
        ACTOR,
        patient.id,
        _consent(
            recipient_name=None,
            recipient_partner_id=str(partner.id),
            scopes=["status_updates", "attendance"],
        ),
    )
    consents.create_consent(db, ACTOR, patient.id, _consent(scopes=["discharge_summary"]))

    def allows(scope: ConsentScope, on: date, partner_id: object = partner.id) -> bool:
        return consents.consent_allows(db, patient.id, partner_id, scope, on)  # type: ignore[arg-type]

    assert allows(ConsentScope.status_updates, date(2026, 2, 1))
    assert allows(ConsentScope.attendance, date(2026, 8, 1))
    assert not allows(ConsentScope.discharge_summary, date(2026, 3, 1))
    assert not allows(ConsentScope.status_updates, date(2026, 1, 31))
    assert not allows(ConsentScope.status_updates, date(2026, 8, 2))
    assert not allows(ConsentScope.status_updates, date(2026, 3, 1), other.id)

    consents.revoke_consent(
        db, ACTOR, patient.id, consent.id, ConsentRevoke(revoked_on=date(2026, 2, 20))
    )
    assert allows(ConsentScope.status_updates, date(2026, 2, 19))
    assert not allows(ConsentScope.status_updates, date(2026, 2, 20))
