"""Events after acceptance go out only under an active consent, checked when sent, and
each one that carries patient information is in the accounting of disclosures."""

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from homeward import clock
from homeward.disclosures.models import Disclosure
from homeward.patients.models import Consent, Patient
from homeward.webhooks.delivery import Dispatcher
from homeward.webhooks.models import DeliveryStatus, WebhookDelivery
from homeward.webhooks.outbox import enqueue
from tests.factories import Factories
from tests.webhooks.conftest import PartnerApi
from tests.webhooks.receiver import Receiver


def _consent(db: Session, patient: Patient, partner_api: PartnerApi) -> Consent:
    consent = Consent(
        patient_id=patient.id,
        recipient_partner_id=partner_api.partner.id,
        recipient_name=partner_api.partner.name,
        purpose="Coordination of care after discharge",
        scopes=["status_updates"],
        signed_on=clock.now().date() - timedelta(days=3),
    )
    db.add(consent)
    db.flush()
    return consent


def _admitted(db: Session, partner_api: PartnerApi, patient: Patient) -> None:
    enqueue(
        db,
        partner_id=partner_api.partner.id,
        event_type="enrollment.admitted",
        data={"transfer_id": "t-1", "status": "admitted"},
        patient_id=patient.id,
        consent_scope="status_updates",
    )


def _disclosures(db: Session, patient: Patient) -> list[Disclosure]:
    return list(db.scalars(select(Disclosure).where(Disclosure.patient_id == patient.id)))


def test_an_event_under_active_consent_is_sent_and_disclosed(
    db: Session,
    factories: Factories,
    partner_api: PartnerApi,
    receiver: Receiver,
    dispatcher: Dispatcher,
) -> None:
    patient = factories.patient()
    _consent(db, patient, partner_api)
    partner_api.register(receiver.url)
    _admitted(db, partner_api, patient)
    assert dispatcher.run_once() == 1
    assert len(receiver.received) == 1
    (disclosure,) = _disclosures(db, patient)
    assert disclosure.channel == "webhook" and disclosure.partner_id == partner_api.partner.id
    assert "enrollment.admitted" in disclosure.summary


def test_revoking_consent_stops_events_already_queued(
    db: Session,
    factories: Factories,
    partner_api: PartnerApi,
    receiver: Receiver,
    dispatcher: Dispatcher,
) -> None:
    patient = factories.patient()
    consent = _consent(db, patient, partner_api)
    partner_api.register(receiver.url)
    _admitted(db, partner_api, patient)  # queued while the consent was active
    consent.revoked_on = clock.now().date()
    db.flush()
    assert dispatcher.run_once() == 1
    assert receiver.received == []
    delivery = db.scalars(
        select(WebhookDelivery).where(WebhookDelivery.partner_id == partner_api.partner.id)
    ).one()
    db.refresh(delivery)
    assert delivery.status is DeliveryStatus.withheld
    assert "consent" in (delivery.last_error or "") and delivery.attempts == []
    assert _disclosures(db, patient) == []


def test_without_any_consent_nothing_is_sent(
    db: Session,
    factories: Factories,
    partner_api: PartnerApi,
    receiver: Receiver,
    dispatcher: Dispatcher,
) -> None:
    patient = factories.patient()
    partner_api.register(receiver.url)
    _admitted(db, partner_api, patient)
    dispatcher.run_once()
    assert receiver.received == []
