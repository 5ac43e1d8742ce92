"""Webhook events for a transfer, written to the outbox in the change's own transaction.

From acceptance on, an event carries the patient's information, so it is sent only
under the patient's `status_updates` consent, checked again when it is delivered.
"""

from typing import Any

from sqlalchemy.orm import Session

from homeward.patients.models import ConsentScope
from homeward.transfers.models import AFTER_ACCEPTANCE, Transfer
from homeward.webhooks import outbox


def announcement(
    transfer: Transfer, event_type: str, data: dict[str, Any] | None = None
) -> outbox.NewEvent:
    """The event announcing `transfer` as it is now, consent-gated from acceptance on."""
    gated = transfer.patient_id is not None and transfer.status in AFTER_ACCEPTANCE
    return outbox.NewEvent(
        partner_id=transfer.partner_id,
        event_type=event_type,
        data={"transfer_id": str(transfer.id), "status": transfer.status.value, **(data or {})},
        patient_id=transfer.patient_id if gated else None,
        consent_scope=ConsentScope.status_updates.value if gated else None,
    )


def announce(
    db: Session, transfer: Transfer, event_type: str, data: dict[str, Any] | None = None
) -> None:
    outbox.enqueue_many(db, [announcement(transfer, event_type, data)])
