import uuid
from datetime import date, datetime
from typing import Literal

from homeward.schemas import ReadModel

Channel = Literal["api", "webhook"]


class DisclosureRead(ReadModel):
    """One entry of a patient's accounting of disclosures (42 CFR 2.24)."""

    id: uuid.UUID
    patient_id: uuid.UUID
    partner_id: uuid.UUID
    recipient_name: str
    channel: Channel
    summary: str
    scopes: list[str]
    transfer_id: uuid.UUID | None
    consent_id: uuid.UUID | None
    notice: str
    disclosed_at: datetime
    retain_until: date
