"""The accounting of disclosures: what was told to which partner about a patient, and when.

Every response or webhook that carries a patient's information to a partner is recorded
here, in the transaction that discloses it, with the 42 CFR Part 2 notice it carried.
"""

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from homeward import clock
from homeward.audit.service import Actor, record
from homeward.disclosures.models import PART2_NOTICE, RETENTION_YEARS, Disclosure
from homeward.disclosures.schemas import Channel, DisclosureRead
from homeward.pagination import Page, PageParams, paginate
from homeward.partners.models import Partner
from homeward.patients.service import require_patient

CHANNELS: frozenset[str] = frozenset({"api", "webhook"})


def retain_until(on: date) -> date:
    try:
        return on.replace(year=on.year + RETENTION_YEARS)
    except ValueError:  # 29 February
        return on.replace(year=on.year + RETENTION_YEARS, day=28)


def record_disclosure(
    db: Session,
    *,
    partner_id: uuid.UUID,
    patient_id: uuid.UUID,
    channel: str,
    summary: str,
    scopes: Sequence[str] = (),
    transfer_id: uuid.UUID | None = None,
    consent_id: uuid.UUID | None = None,
    request_id: str | None = None,
) -> None:
    """Record one disclosure in the caller's transaction (`channel` is "api" or "webhook")."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown disclosure channel {channel!r}")
    partner_name = db.scalar(select(Partner.name).where(Partner.id == partner_id))
    if partner_name is None:
        raise ValueError(f"no partner {partner_id}")
    now = clock.now()
    db.add(
        Disclosure(
            patient_id=patient_id,
            partner_id=partner_id,
            recipient_name=partner_name,
            channel=channel,
            summary=summary,
            scopes=list(scopes),
            transfer_id=transfer_id,
            consent_id=consent_id,
            request_id=request_id,
            notice=PART2_NOTICE,
            disclosed_at=now,
            retain_until=retain_until(now.date()),
        )
    )
    db.flush()


def list_disclosures(
    db: Session,
    actor: Actor,
    patient_id: uuid.UUID,
    params: PageParams,
    channel: Channel | None = None,
) -> Page[DisclosureRead]:
    """A patient's disclosures, newest first."""
    patient = require_patient(db, patient_id)
    statement = select(Disclosure).where(Disclosure.patient_id == patient.id)
    if channel is not None:
        statement = statement.where(Disclosure.channel == channel)
    page = paginate(
        db,
        statement,
        [Disclosure.disclosed_at, Disclosure.id],
        params,
        read_as=DisclosureRead,
        descending=True,
    )
    record(
        db,
        actor,
        "disclosure.list",
        "patient",
        patient.id,
        patient_id=patient.id,
        detail={"count": len(page.items)},
    )
    return page
