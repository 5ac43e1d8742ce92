"""Partner organizations and their API keys."""

import hashlib
import hmac
import secrets
import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from homeward import clock
from homeward.audit.service import Actor, record
from homeward.errors import Conflict, NotFound
from homeward.pagination import Page, PageParams, paginate
from homeward.partners.models import Partner, PartnerApiKey
from homeward.partners.schemas import ApiKeyCreate, ApiKeyCreated, PartnerCreate, PartnerRead

KEY_PREFIX = "hwk_"
# Writing last_used_at on every request would turn each read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _hash_key(key: str) -> str:
    # Keys carry 192 random bits, so a fast hash is enough (unlike passwords).
    return hashlib.sha256(key.encode()).hexdigest()


def list_partners(db: Session, params: PageParams) -> Page[PartnerRead]:
    return paginate(db, select(Partner), [Partner.name, Partner.id], params, read_as=PartnerRead)


def get_partner(db: Session, partner_id: uuid.UUID) -> Partner:
    partner = db.get(Partner, partner_id)
    if partner is None:
        raise NotFound("No such partner")
    return partner


def create_partner(db: Session, actor: Actor, data: PartnerCreate) -> Partner:
    if db.scalar(select(Partner.id).where(Partner.name == data.name)):
        raise Conflict("A partner with this name already exists")
    partner = Partner(name=data.name, contact_email=str(data.contact_email))
    db.add(partner)
    db.flush()
    record(db, actor, "partner.create", "partner", partner.id)
    return partner


def list_api_keys(db: Session, partner_id: uuid.UUID) -> list[PartnerApiKey]:
    get_partner(db, partner_id)
    return list(
        db.scalars(
            select(PartnerApiKey)
            .where(PartnerApiKey.partner_id == partner_id)
            .order_by(PartnerApiKey.created_at, PartnerApiKey.id)
        )
    )


def create_api_key(
    db: Session, actor: Actor, partner_id: uuid.UUID, data: ApiKeyCreate
) -> ApiKeyCreated:
    partner = get_partner(db, partner_id)
    prefix = KEY_PREFIX + secrets.token_hex(4)
    key = f"{prefix}_{secrets.token_hex(24)}"
    api_key = PartnerApiKey(
        partner_id=partner.id,
        name=data.name,
        prefix=prefix,
        key_hash=_hash_key(key),
        created_by_id=actor.id if actor.type == "user" else None,
    )
    db.add(api_key)
    db.flush()
    record(db, actor, "partner_api_key.create", "partner_api_key", api_key.id)
    return ApiKeyCreated(
        id=api_key.id,
        name=api_key.name,
        prefix=prefix,
        created_at=api_key.created_at,
        last_used_at=None,
        revoked_at=None,
        key=key,
    )


def revoke_api_key(db: Session, actor: Actor, partner_id: uuid.UUID, key_id: uuid.UUID) -> None:
    api_key = db.get(PartnerApiKey, key_id)
    if api_key is None or api_key.partner_id != partner_id:
        raise NotFound("No such API key")
    if api_key.revoked_at is None:
        api_key.revoked_at = clock.now()
        record(db, actor, "partner_api_key.revoke", "partner_api_key", api_key.id)
    db.flush()


def authenticate_key(db: Session, key: str) -> Partner | None:
    prefix, _, _secret = key.rpartition("_")
    if not prefix.startswith(KEY_PREFIX):
        return None
    # The partner comes in the same statement: every partner request starts here.
    api_key = db.scalar(
        select(PartnerApiKey)
        .options(joinedload(PartnerApiKey.partner))
        .where(PartnerApiKey.prefix == prefix)
    )
    if api_key is None or api_key.revoked_at is not None:
        return None
    if not hmac.compare_digest(api_key.key_hash, _hash_key(key)):
        return None
    partner = api_key.partner
    if not partner.active:
        return None
    now = clock.now()
    if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
        api_key.last_used_at = now
    return partner
