import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from homeward.db import Base, Timestamped, UUIDPrimaryKey, str_enum, utcnow


class Role(StrEnum):
    admin = "admin"
    clinician = "clinician"
    medical = "medical"
    intake = "intake"
    viewer = "viewer"


# Who may facilitate a session or be an enrollment's primary clinician. Admins count:
# they hold every clinical permission, and a clinic's director is usually one.
CLINICAL_ROLES = frozenset({Role.admin, Role.clinician, Role.medical})
NOT_CLINICAL = "this staff user's role is not clinical (clinician, medical or admin)"


class User(UUIDPrimaryKey, Timestamped, Base):
    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(str_enum(Role))
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str] = mapped_column(String(200))


class LoginSession(UUIDPrimaryKey, Base):
    """A signed-in browser. Kept server-side so that it can be revoked."""

    __tablename__ = "login_sessions"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    ip: Mapped[str | None] = mapped_column(String(64))

    user: Mapped[User] = relationship(lazy="joined")


class SignInThrottle(Base):
    """Failed sign-ins counted under one key, and the lock they led to.

    A key is an account (`account:<email>`, kept for unknown emails too so that a lockout
    reveals nothing), an address (`address:<ip>`), or one trusted browser or address of an
    account (`trusted:...`); see `auth/throttle.py`.
    """

    __tablename__ = "sign_in_throttles"

    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    failures: Mapped[int]
    window_started_at: Mapped[datetime]
    locked_until: Mapped[datetime | None]


class KnownSignInKind(StrEnum):
    device = "device"  # a browser, by the device cookie it was given
    address = "address"


class KnownSignIn(Base):
    """A browser or an address that signed into an account with its password."""

    __tablename__ = "known_sign_ins"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[KnownSignInKind] = mapped_column(str_enum(KnownSignInKind), primary_key=True)
    value_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_signed_in_at: Mapped[datetime]


class SignInRevocations(Base):
    """One row: a counter raised by every change that ends a login or narrows what it may do.

    Each server process reads it about once a second and forgets the logins it trusted
    when it moved (see `auth/login_cache.py`).
    """

    __tablename__ = "sign_in_revocations"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    counter: Mapped[int]
