"""Sign-in: the password check, the lockout, the address throttle and trusted browsers.

Failures are counted under three kinds of key (see `throttle.py`):

- the account, for browsers and addresses it does not know: ten failures lock it;
- the address, whatever the account: spraying one password over many accounts from
  one address is throttled;
- one trusted browser (device cookie) or address of an account, each counting for
  itself, so that someone elsewhere who locks the account does not shut out the staff
  member who signed in from there within the last 30 days. A browser with the device
  cookie is also exempt from its address's throttle (a clinic's staff share one
  address with anyone on its network); a known address is not.

Hashing a password takes tens of milliseconds. It runs between two short transactions,
not inside one: on SQLite a transaction holds the write lock, and forty parallel
hashes held it long enough for other requests to give up.
"""

import asyncio
import contextvars
import functools
import hashlib
import math
import os
import secrets
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, delete, select
from sqlalchemy.orm import Session

from homeward import clock
from homeward.audit.service import Actor, record
from homeward.auth import throttle
from homeward.auth.exceptions import AccountLocked, AddressThrottled, InvalidCredentials
from homeward.auth.login_cache import logins, read_epoch_if_due, verified
from homeward.auth.models import KnownSignIn, KnownSignInKind, LoginSession, User
from homeward.auth.passwords import verify_password
from homeward.settings import Settings

# Sign-ins run on a few threads of their own, one per core: a burst of them waits its
# turn there rather than taking every worker thread (other requests would stall) and
# holding many transactions at once (SQLite's writers would time out).
_SIGN_INS = ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="sign-in")
_TRUSTED_PREFIX = "trusted:"
_ADDRESS_PREFIX = "address:"
_KNOWN = cast(Table, KnownSignIn.__table__)


@dataclass(frozen=True)
class SignedIn:
    user: User
    login_session: LoginSession
    token: str
    device_token: str  # the browser's device cookie, new or kept


@dataclass(frozen=True)
class _Candidate:
    """What the read before the password check learned, kept past its transaction."""

    user_id: uuid.UUID | None
    password_hash: str | None
    active: bool
    trusted_by: tuple[KnownSignInKind, str] | None  # how the account knows this client


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalize_email(email: str) -> str:
    return email.strip().lower()


async def login(
    db: Session,
    settings: Settings,
    email: str,
    password: str,
    actor: Actor,
    device_token: str | None,
) -> SignedIn:
    """Sign in, on the sign-in threads (see `_SIGN_INS`)."""
    call = functools.partial(_login, db, settings, email, password, actor, device_token)
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_SIGN_INS, contextvars.copy_context().run, call)


def _login(
    db: Session,
    settings: Settings,
    email: str,
    password: str,
    actor: Actor,
    device_token: str | None,
) -> SignedIn:
    now = clock.now()
    email = normalize_email(email)
    candidate = _read_candidate(db, settings, email, actor.ip, device_token, now)
    limits = _limits(settings, email, actor.ip, candidate)
    _refuse_if_locked(db, [limit.key for limit in limits], now)
    # The read is over: end its transaction (it wrote nothing) before the slow hash.
    db.rollback()
    valid = verify_password(candidate.password_hash, password)
    if candidate.user_id is None or not valid or not candidate.active:
        window = timedelta(minutes=settings.login_lockout_minutes)
        for limit in limits:
            throttle.count_failure(db, limit, now, window)
        record(db, actor, "auth.login", "user", candidate.user_id, outcome="failure")
        raise InvalidCredentials()
    # Failures counted while the password was being checked may have locked it since.
    _refuse_if_locked(db, [limit.key for limit in limits], now)
    return _open_session(db, settings, candidate.user_id, limits, actor, device_token, now)


def _read_candidate(
    db: Session,
    settings: Settings,
    email: str,
    ip: str | None,
    device_token: str | None,
    now: datetime,
) -> _Candidate:
    user = db.scalar(select(User).where(User.email == email))
    if user is None:
        return _Candidate(None, None, False, None)
    since = now - timedelta(days=settings.login_trusted_days)
    offered = [(KnownSignInKind.device, token_hash(device_token))] if device_token else []
    if ip:
        offered.append((KnownSignInKind.address, token_hash(ip)))
    known = set(
        db.execute(
            select(KnownSignIn.kind, KnownSignIn.value_hash).where(
                KnownSignIn.user_id == user.id,
                KnownSignIn.value_hash.in_([value for _kind, value in offered]),
                KnownSignIn.last_signed_in_at > since,
            )
        ).tuples()
    )
    trusted_by = next((pair for pair in offered if pair in known), None)
    return _Candidate(user.id, user.password_hash, user.active, trusted_by)


def _limits(
    settings: Settings, email: str, ip: str | None, candidate: _Candidate
) -> list[throttle.Limit]:
    limits: list[throttle.Limit] = []
    trusted_by = candidate.trusted_by
    if ip and (trusted_by is None or trusted_by[0] is not KnownSignInKind.device):
        limits.append(throttle.Limit(_ADDRESS_PREFIX + ip, settings.login_address_max_failures))
    if trusted_by is None:
        account_key = f"account:{email}"
    else:
        kind, value = trusted_by
        account_key = f"{_TRUSTED_PREFIX}{candidate.user_id}:{kind.value}:{value}"
    limits.append(throttle.Limit(account_key, settings.login_max_failures))
    return limits


def _refuse_if_locked(db: Session, keys: list[str], now: datetime) -> None:
    lock = throttle.current_lock(db, keys, now)
    if lock is None:
        return
    retry_after = {"Retry-After": str(max(1, math.ceil((lock.until - now).total_seconds())))}
    if lock.key.startswith(_ADDRESS_PREFIX):
        raise AddressThrottled(headers=retry_after)
    raise AccountLocked(headers=retry_after)


def _open_session(
    db: Session,
    settings: Settings,
    user_id: uuid.UUID,
    limits: list[throttle.Limit],
    actor: Actor,
    device_token: str | None,
    now: datetime,
) -> SignedIn:
    # Read before the user, so that a revocation after it moves the counter past the entry.
    read_epoch_if_due(db, now, timedelta(seconds=settings.login_revocation_check_seconds))
    epoch = logins.epoch
    user = db.get_one(User, user_id)
    # A success clears its account's (or trusted client's) count, never the address's:
    # one valid account must not let an address wipe its spraying record.
    throttle.forget(db, limits[-1].key)
    device_token = _remember_client(db, settings, user_id, actor.ip, device_token, now)
    token = secrets.token_urlsafe(32)
    login_session = LoginSession(
        user_id=user.id,
        token_hash=token_hash(token),
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=settings.session_absolute_hours),
        ip=actor.ip,
        user=user,
    )
    db.add(login_session)
    db.flush()
    # The first requests after sign-in need no query either.
    logins.put(login_session.token_hash, verified(login_session, now, epoch))
    record(
        db,
        Actor("user", user.id, user.role, actor.ip, actor.request_id),
        "auth.login",
        "user",
        user.id,
    )
    return SignedIn(user, login_session, token, device_token)


def _remember_client(
    db: Session,
    settings: Settings,
    user_id: uuid.UUID,
    ip: str | None,
    device_token: str | None,
    now: datetime,
) -> str:
    """Trust this browser (and address) for the account; the browser's device token."""
    known_device = device_token is not None and (
        db.get(KnownSignIn, (user_id, KnownSignInKind.device, token_hash(device_token))) is not None
    )
    if device_token is None or not known_device:
        # A token the account does not know is replaced: one set by someone else must
        # not become trusted.
        device_token = secrets.token_urlsafe(32)
    db.execute(
        delete(KnownSignIn).where(
            KnownSignIn.user_id == user_id,
            KnownSignIn.last_signed_in_at <= now - timedelta(days=settings.login_trusted_days),
        )
    )
    remembered = [(KnownSignInKind.device, token_hash(device_token))]
    if ip:
        remembered.append((KnownSignInKind.address, token_hash(ip)))
    for kind, value in remembered:
        # An upsert: two sign-ins from one browser at once must not race to insert it.
        db.execute(
            throttle.insert(db)(_KNOWN)
            .values(user_id=user_id, kind=kind, value_hash=value, last_signed_in_at=now)
            .on_conflict_do_update(  # type: ignore[attr-defined]
                index_elements=[_KNOWN.c.user_id, _KNOWN.c.kind, _KNOWN.c.value_hash],
                set_={"last_signed_in_at": now},
            )
        )
    return device_token
