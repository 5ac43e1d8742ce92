"""42 CFR Part 2 consents: to whom a patient allows disclosure, of what, until when."""

import uuid
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from homeward import clock
from homeward.audit.service import Actor, record
from homeward.errors import InvalidInput
from homeward.partners.models import Partner
from homeward.patients.exceptions import ConsentAlreadyRevoked, ConsentNotFound
from homeward.patients.models import Consent, ConsentScope
from homeward.patients.schemas import ConsentCreate, ConsentRevoke
from homeward.patients.service import require_patient


def list_consents(db: Session, actor: Actor, patient_id: uuid.UUID) -> list[Consent]:
    patient = require_patient(db, patient_id)
    consents = list(
        db.scalars(
            select(Consent)
            .where(Consent.patient_id == patient.id)
            .order_by(Consent.signed_on.desc(), Consent.created_at.desc(), Consent.id)
        )
    )
    record(
        db,
        actor,
        "consent.list",
        "patient",
        patient.id,
        patient_id=patient.id,
        detail={"count": len(consents)},
    )
    return consents


def create_consent(
    db: Session, actor: Actor, patient_id: uuid.UUID, data: ConsentCreate
) -> Consent:
    patient = require_patient(db, patient_id)
    if data.signed_on > clock.now().date():
        raise InvalidInput.at(["body", "signed_on"], "signed_on is in the future")
    recipient_name = data.recipient_name or ""
    if data.recipient_partner_id is not None:
        partner = db.get(Partner, data.recipient_partner_id)
        if partner is None:
            raise InvalidInput.at(["body", "recipient_partner_id"], "no partner with this id")
        # Keep the name the patient consented to, even if the partner is renamed later.
        recipient_name = partner.name
    consent = Consent(
        patient_id=patient.id,
        recipient_partner_id=data.recipient_partner_id,
        recipient_name=recipient_name,
        purpose=data.purpose,
        scopes=[scope.value for scope in data.scopes],
        signed_on=data.signed_on,
        expires_on=data.expires_on,
        created_by_id=actor.id if actor.type == "user" else None,
    )
    db.add(consent)
    db.flush()
    record(
        db,
        actor,
        "consent.create",
        "consent",
        consent.id,
        patient_id=patient.id,
        detail={"scopes": consent.scopes},
    )
    return consent


def revoke_consent(
    db: Session,
    actor: Actor,
    patient_id: uuid.UUID,
    consent_id: uuid.UUID,
    data: ConsentRevoke | None = None,
) -> Consent:
    consent = db.get(Consent, consent_id)
    if consent is None or consent.patient_id != patient_id:
        raise ConsentNotFound()
    if consent.revoked_on is not None:
        raise ConsentAlreadyRevoked(f"Revoked on {consent.revoked_on.isoformat()}")
    today = clock.now().date()
    revoked_on = data.revoked_on if data and data.revoked_on else today
    if revoked_on > today:
        raise InvalidInput.at(["body", "revoked_on"], "revoked_on is in the future")
    if revoked_on < consent.signed_on:
        raise InvalidInput.at(["body", "revoked_on"], "revoked_on is before the consent was signed")
    consent.revoked_on = revoked_on
    db.flush()
    record(db, actor, "consent.revoke", "consent", consent.id, patient_id=patient_id)
    return consent


def consent_allows(
    db: Session, patient_id: uuid.UUID, partner_id: uuid.UUID, scope: ConsentScope, on: date
) -> bool:
    """Whether a consent in force on `on` lets us tell `partner_id` about `scope`."""
    candidates = db.scalars(
        select(Consent).where(
            Consent.patient_id == patient_id,
            Consent.recipient_partner_id == partner_id,
            Consent.signed_on <= on,
            or_(Consent.expires_on.is_(None), Consent.expires_on >= on),
            or_(Consent.revoked_on.is_(None), Consent.revoked_on > on),
        )
    )
    return any(scope.value in consent.scopes for consent in candidates)
