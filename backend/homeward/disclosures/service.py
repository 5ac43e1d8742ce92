"""The accounting of disclosures: what was told to which partner about a patient, and when.

Every response or webhook that carries a patient's information to a partner is recorded
here, in the transaction that discloses it, with the 42 CFR Part 2 notice it carried.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import cast

from sqlalchemy import Table, insert, select
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


@dataclass(frozen=True)
class DisclosureEntry:
    """One disclosure about to be recorded: to whom is the batch's, the rest is each row's."""

    patient_id: uuid.UUID
    channel: str
    summary: str
    scopes: Sequence[str] = ()
    transfer_id: uuid.UUID | None = None
    consent_id: uuid.UUID | None = None


def record_disclosures(
    db: Session,
    partner_id: uuid.UUID,
    entries: Sequence[DisclosureEntry],
    request_id: str | None = None,
) -> None:
    """Record disclosures to one partner in the caller's transaction.

    A page of transfers discloses once per row, so the rows go in with one multi-row
    INSERT: two statements (the partner's name, the insert) whatever the page size.
    """
    if not entries:
        return
    unknown = {e.channel for e in entries} - CHANNELS
    if unknown:
        raise ValueError(f"unknown disclosure channel {sorted(unknown)[0]!r}")
    partner_name = db.scalar(select(Partner.name).where(Partner.id == partner_id))
    if partner_name is None:
        raise ValueError(f"no partner {partner_id}")
    now = clock.now()
    rows = [
        {
            "id": uuid.uuid4(),
            "patient_id": entry.patient_id,
            "partner_id": partner_id,
            "recipient_name": partner_name,
            "channel": entry.channel,
            "summary": entry.summary,
            "scopes": list(entry.scopes),
            "transfer_id": entry.transfer_id,
            "consent_id": entry.consent_id,
            "request_id": request_id,
            "notice": PART2_NOTICE,
            "disclosed_at": now,
            "retain_until": retain_until(now.date()),
        }
        for entry in entries
    ]
    # The table rather than the entity: a Core multi-VALUES insert, not the ORM's
    # executemany, so it is one statement on every driver.
    db.execute(insert(cast(Table, Disclosure.__table__)).values(rows))


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
    entry = DisclosureEntry(patient_id, channel, summary, scopes, transfer_id, consent_id)
    record_disclosures(db, partner_id, [entry], request_id)


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
