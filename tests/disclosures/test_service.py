"""The accounting of disclosures, and the consent check that decides what may be disclosed."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from homeward import clock
from homeward.disclosures.models import PART2_NOTICE, Disclosure
from homeward.disclosures.service import record_disclosure, retain_until
from homeward.patients.models import Consent
from homeward.transfers.consent import disclosure_allowed
from tests.factories import Factories


def _consent(factories: Factories, **overrides: object) -> Consent:
    values: dict[str, object] = {
        "recipient_name": "",
        "purpose": "care coordination",
        "scopes": ["status_updates"],
        "signed_on": clock.now().date() - timedelta(days=10),
    }
    values.update(overrides)
    consent: Consent = factories._add(Consent(**values))
    return consent


def test_consent_in_force_allows_only_its_scopes_to_its_partner(
    db: Session, factories: Factories
) -> None:
    partner, other = factories.partner(), factories.partner()
    patient = factories.patient()
    _consent(factories, patient_id=patient.id, recipient_partner_id=partner.id)

    def allowed(scope: str, partner_id: object = partner.id, on: date | None = None) -> bool:
        return disclosure_allowed(
            db, partner_id=partner_id, patient_id=patient.id, scope=scope, on=on
        )

    assert allowed("status_updates")
    assert not allowed("attendance")
    assert not allowed("no_such_scope")
    assert not allowed("status_updates", partner_id=other.id)
    assert not allowed("status_updates", on=clock.now().date() - timedelta(days=11))


def test_expired_and_revoked_consents_allow_nothing(db: Session, factories: Factories) -> None:
    partner = factories.partner()
    expired, revoked = factories.patient(), factories.patient()
    today = clock.now().date()
    _consent(
        factories,
        patient_id=expired.id,
        recipient_partner_id=partner.id,
        expires_on=today - timedelta(days=1),
    )
    _consent(factories, patient_id=revoked.id, recipient_partner_id=partner.id, revoked_on=today)
    for patient in (expired, revoked):
        assert not disclosure_allowed(
            db, partner_id=partner.id, patient_id=patient.id, scope="status_updates"
        )
    # Revoked today: the day before, it was still in force.
    assert disclosure_allowed(
        db,
        partner_id=partner.id,
        patient_id=revoked.id,
        scope="status_updates",
        on=today - timedelta(days=1),
    )


def test_a_disclosure_is_recorded_with_the_notice_for_three_years(
    db: Session, factories: Factories
) -> None:
    partner = factories.partner(name="Riverside Recovery")
    patient = factories.patient()
    record_disclosure(
        db,
        partner_id=partner.id,
        patient_id=patient.id,
        channel="webhook",
        summary="enrollment.admitted",
        scopes=["status_updates"],
    )
    row = db.scalars(select(Disclosure).where(Disclosure.patient_id == patient.id)).one()
    assert row.recipient_name == "Riverside Recovery"
    assert row.channel == "webhook"
    assert row.notice == PART2_NOTICE
    assert row.retain_until == retain_until(row.disclosed_at.date())
    assert (row.retain_until - row.disclosed_at.date()).days >= 3 * 365


def test_leap_day_retention_falls_on_the_last_of_february() -> None:
    assert retain_until(date(2028, 2, 29)) == date(2031, 2, 28)


def test_an_unknown_channel_is_refused(db: Session, factories: Factories) -> None:
    partner, patient = factories.partner(), factories.patient()
    with pytest.raises(ValueError, match="fax"):
        record_disclosure(
            db, partner_id=partner.id, patient_id=patient.id, channel="fax", summary="x"
        )
