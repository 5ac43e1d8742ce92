"""Staff users and server-side login sessions (sign-in itself is in `sign_in.py`)."""

import hmac
import uuid
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from homeward import clock
from homeward.audit.service import Actor, record
from homeward.auth.exceptions import EmailTaken, LastAdmin, WeakPassword
from homeward.auth.login_cache import (
    VerifiedLogin,
    forget_logins,
    logins,
    read_epoch_if_due,
    verified,
)
from homeward.auth.models import LoginSession, Role, User
from homeward.auth.passwords import hash_password, policy_violation
from homeward.auth.schemas import UserCreate, UserRead, UserUpdate
from homeward.auth.sign_in import normalize_email, token_hash
from homeward.errors import NotFound
from homeward.pagination import Page, PageParams, paginate
from homeward.settings import Settings

# Refreshing last_seen_at on every request would turn each read into a write.
LAST_SEEN_RESOLUTION = timedelta(seconds=30)


def _check_password_policy(password: str, email: str, full_name: str) -> None:
    problem = policy_violation(password, email, full_name)
    if problem:
        raise WeakPassword.at(["body", "password"], problem)


def _still_valid(settings: Settings, login: VerifiedLogin, now: datetime) -> bool:
    idle_limit = timedelta(minutes=settings.session_idle_minutes)
    return now < login.expires_at and now - login.last_seen_at <= idle_limit


def _timings(settings: Settings) -> tuple[timedelta, timedelta]:
    trust_for = timedelta(seconds=settings.login_trust_seconds)
    return trust_for, timedelta(seconds=settings.login_revocation_check_seconds)


def cached_login(settings: Settings, token: str) -> VerifiedLogin | None:
    """The caller's login if it was verified moments ago and needs no write; no query."""
    now = clock.now()
    login = logins.get(token_hash(token), now, *_timings(settings))
    if login is None or not _still_valid(settings, login, now):
        return None
    if now - login.last_seen_at > LAST_SEEN_RESOLUTION:
        return None  # last_seen_at is due a refresh, which resume_session writes
    return login


def resume_session(db: Session, settings: Settings, token: str) -> VerifiedLogin | None:
    """The live login for a cookie token, or None when unknown, revoked or expired."""
    now = clock.now()
    read_epoch_if_due(db, now, _timings(settings)[1])
    cached = cached_login(settings, token)
    if cached is not None:
        return cached
    epoch = logins.epoch  # before the read: a revocation after it moves the counter on
    hashed = token_hash(token)
    login_session = db.scalar(select(LoginSession).where(LoginSession.token_hash == hashed))
    if login_session is None or login_session.revoked_at is not None:
        return None
    if not login_session.user.active:
        return None
    login = verified(login_session, now, epoch)
    if not _still_valid(settings, login, now):
        return None
    if now - login_session.last_seen_at > LAST_SEEN_RESOLUTION:
        login_session.last_seen_at = now
        login = replace(login, last_seen_at=now)
    logins.put(hashed, login)
    return login


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
    _check_password_policy(data.password, email, data.full_name)
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


def _keep_an_admin(db: Session, user: User, changes: dict[str, object]) -> None:
    """Refuse the change that would leave the clinic without an active admin."""
    stays_admin = changes.get("role", user.role) == Role.admin and changes.get("active", True)
    if user.role != Role.admin or not user.active or stays_admin:
        return
    # Locked, so that two admins demoting each other at once can't both succeed.
    other_admins = db.scalars(
        select(User.id)
        .where(User.role == Role.admin, User.active.is_(True), User.id != user.id)
        .with_for_update()
    ).all()
    if not other_admins:
        raise LastAdmin("Make another staff user an active admin first")


def update_user(db: Session, actor: Actor, user_id: uuid.UUID, data: UserUpdate) -> User:
    user = get_user(db, user_id)
    changes = data.model_dump(exclude_unset=True)
    password = changes.pop("password", None)
    for field in ("full_name", "role", "active"):
        if field in changes and changes[field] is None:
            changes.pop(field)
    _keep_an_admin(db, user, changes)
    if password is not None:
        _check_password_policy(password, user.email, changes.get("full_name", user.full_name))
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
