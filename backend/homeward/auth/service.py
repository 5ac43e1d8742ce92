"""Staff users, sign-in with lockout, and server-side login sessions."""

import hashlib
import hmac
import math
import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from homeward import clock
from homeward.audit.service import Actor, record
from homeward.auth.exceptions import AccountLocked, EmailTaken, InvalidCredentials, WeakPassword
from homeward.auth.login_cache import VerifiedLogin, forget_logins, logins
from homeward.auth.models import LoginSession, LoginThrottle, User
from homeward.auth.passwords import hash_password, policy_violation, verify_password
from homeward.auth.schemas import UserCreate, UserRead, UserUpdate
from homeward.errors import NotFound
from homeward.pagination import Page, PageParams, paginate
from homeward.settings import Settings

# Refreshing last_seen_at on every request would turn each read into a write.
LAST_SEEN_RESOLUTION = timedelta(seconds=30)


@dataclass(frozen=True)
class SignedIn:
    user: User
    login_session: LoginSession
    token: str


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalize_email(email: str) -> str:
    return email.strip().lower()


def _check_password_policy(password: str, loc: list[str | int]) -> None:
    problem = policy_violation(password)
    if problem:
        raise WeakPassword.at(loc, problem)


def login(db: Session, settings: Settings, email: str, password: str, actor: Actor) -> SignedIn:
    now = clock.now()
    email = normalize_email(email)
    throttle = db.get(LoginThrottle, email)
    if throttle and throttle.locked_until and throttle.locked_until > now:
        retry_after = math.ceil((throttle.locked_until - now).total_seconds())
        raise AccountLocked(headers={"Retry-After": str(retry_after)})

    user = db.scalar(select(User).where(User.email == email))
    valid = verify_password(user.password_hash if user else None, password)
    if user is None or not valid or not user.active:
        _count_failure(db, settings, email, throttle)
        record(db, actor, "auth.login", "user", user.id if user else None, outcome="failure")
        raise InvalidCredentials()

    if throttle:
        db.delete(throttle)
    token = secrets.token_urlsafe(32)
    login_session = LoginSession(
        user_id=user.id,
        token_hash=_token_hash(token),
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
    logins.put(login_session.token_hash, _verified(login_session, now))
    record(
        db,
        Actor("user", user.id, user.role, actor.ip, actor.request_id),
        "auth.login",
        "user",
        user.id,
    )
    return SignedIn(user, login_session, token)


def _count_failure(
    db: Session, settings: Settings, email: str, throttle: LoginThrottle | None
) -> None:
    now = clock.now()
    window = timedelta(minutes=settings.login_lockout_minutes)
    if throttle is None:
        throttle = LoginThrottle(email=email, failures=0)
        db.add(throttle)
    if throttle.window_started_at is None or now - throttle.window_started_at > window:
        throttle.window_started_at = now
        throttle.failures = 0
    throttle.failures += 1
    if throttle.failures >= settings.login_max_failures:
        throttle.locked_until = now + window
        throttle.failures = 0
        throttle.window_started_at = None
    db.flush()


def _still_valid(settings: Settings, login: VerifiedLogin, now: datetime) -> bool:
    idle_limit = timedelta(minutes=settings.session_idle_minutes)
    return now < login.expires_at and now - login.last_seen_at <= idle_limit


def cached_login(settings: Settings, token: str) -> VerifiedLogin | None:
    """The caller's login if it was verified moments ago and needs no write; no query."""
    now = clock.now()
    login = logins.get(_token_hash(token), now, timedelta(seconds=settings.login_trust_seconds))
    if login is None or not _still_valid(settings, login, now):
        return None
    if now - login.last_seen_at > LAST_SEEN_RESOLUTION:
        return None  # last_seen_at is due a refresh, which resume_session writes
    return login


def resume_session(db: Session, settings: Settings, token: str) -> VerifiedLogin | None:
    """The live login for a cookie token, or None when unknown, revoked or expired."""
    now = clock.now()
    token_hash = _token_hash(token)
    login_session = db.scalar(select(LoginSession).where(LoginSession.token_hash == token_hash))
    if login_session is None or login_session.revoked_at is not None:
        return None
    if not login_session.user.active:
        return None
    login = _verified(login_session, now)
    if not _still_valid(settings, login, now):
        return None
    if now - login_session.last_seen_at > LAST_SEEN_RESOLUTION:
        login_session.last_seen_at = now
        login = replace(login, last_seen_at=now)
    logins.put(token_hash, login)
    return login


def _verified(login_session: LoginSession, now: datetime) -> VerifiedLogin:
    return VerifiedLogin(
        session_id=login_session.id,
        user_id=login_session.user_id,
        role=login_session.user.role,
        csrf_token=login_session.csrf_token,
        expires_at=login_session.expires_at,
        last_seen_at=login_session.last_seen_at,
        verified_at=now,
    )


def csrf_matches(login: VerifiedLogin, presented: str | None) -> bool:
    return presented is not None and hmac.compare_digest(login.csrf_token, presented)


def logout(db: Session, actor: Actor, session_id: uuid.UUID) -> None:
    db.execute(
        update(LoginSession).where(LoginSession.id == session_id).values(revoked_at=clock.now())
    )
    forget_logins(db)
    record(db, actor, "auth.logout", "user", actor.id)
    db.flush()


def list_users(db: Session, params: PageParams) -> Page[UserRead]:
    return paginate(db, select(User), [User.email], params, read_as=UserRead)


def get_user(db: Session, user_id: uuid.UUID) -> User:
    user = db.get(User, user_id)
    if user is None:
        raise NotFound("No such user")
    return user


def create_user(db: Session, actor: Actor, data: UserCreate) -> User:
    email = normalize_email(str(data.email))
    _check_password_policy(data.password, ["body", "password"])
    if db.scalar(select(User.id).where(User.email == email)):
        raise EmailTaken()
    user = User(
        email=email,
        full_name=data.full_name,
        role=data.role,
        password_hash=hash_password(data.password),
    )
    db.add(user)
    db.flush()
    record(db, actor, "user.create", "user", user.id, detail={"role": user.role.value})
    return user


def update_user(db: Session, actor: Actor, user_id: uuid.UUID, data: UserUpdate) -> User:
    user = get_user(db, user_id)
    changes = data.model_dump(exclude_unset=True)
    password = changes.pop("password", None)
    for field in ("full_name", "role", "active"):
        if field in changes and changes[field] is None:
            changes.pop(field)
    if password is not None:
        _check_password_policy(password, ["body", "password"])
        user.password_hash = hash_password(password)
    for field, value in changes.items():
        setattr(user, field, value)
    if password is not None or changes.get("active") is False:
        # A new password or a deactivation ends every open session of that user.
        db.execute(
            update(LoginSession)
            .where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None))
            .values(revoked_at=clock.now())
        )
    # A role or an active flag is part of every cached login of this user.
    forget_logins(db)
    db.flush()
    changed = sorted([*changes, *(["password"] if password is not None else [])])
    record(db, actor, "user.update", "user", user.id, detail={"changed": changed})
    return user
