"""Whether a partner may be told something about a patient, under the patient's consent."""

import uuid
from datetime import date

from sqlalchemy.orm import Session

from homeward import clock
from homeward.patients.consents import consent_allows
from homeward.patients.models import ConsentScope

# What a partner may learn, by consent scope, once its transfer is accepted.
SHARED_SCOPES = (ConsentScope.status_updates, ConsentScope.attendance)


def disclosure_allowed(
    db: Session,
    *,
    partner_id: uuid.UUID,
    patient_id: uuid.UUID,
    scope: str,
    on: date | None = None,
) -> bool:
    """Whether a consent in force on `on` (default today) lets `partner_id` learn `scope`.

    In force means signed by then, not expired and not revoked. An unknown scope is
    never allowed.
    """
    try:
        consent_scope = ConsentScope(scope)
    except ValueError:
        return False
    return consent_allows(db, patient_id, partner_id, consent_scope, on or clock.now().date())
