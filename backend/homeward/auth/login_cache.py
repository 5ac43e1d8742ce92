"""Recently verified login sessions, so that a signed-in request needs no query to authenticate.

An entry is a snapshot of the session and its user, trusted for a few seconds
(`Settings.login_trust_seconds`) after it was read, and only while the revocation
counter (`sign_in_revocations`) stands where it stood when it was read. Every change
that could end a session or narrow what a user may do (sign-out, a deactivation, a role
or password change) raises that counter in its own transaction. This process also
empties its cache at once and again at commit; every other process reads the counter
at most `Settings.login_revocation_check_seconds` apart and drops every entry when it
has moved. So a revocation reaches every process within about a second, for the price
of one small query per process per second rather than one per request.
"""

import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from homeward.auth.models import LoginSession, Role, SignInRevocations

CAPACITY = 10_000
_CHANGED = "homeward.auth.logins_changed"


@dataclass(frozen=True)
class VerifiedLogin:
    """What a request needs to know about its signed-in caller."""

    session_id: uuid.UUID
    user_id: uuid.UUID
    role: Role
    csrf_token: str
    expires_at: datetime
    last_seen_at: datetime
    verified_at: datetime
    # The revocation counter as this process knew it before the session was read.
    epoch: int | None


class LoginCache:
    def __init__(self) -> None:
        self._entries: OrderedDict[str, VerifiedLogin] = OrderedDict()
        self._lock = threading.Lock()
        self.epoch: int | None = None
        self._epoch_read_at: datetime | None = None

    def epoch_due(self, now: datetime, check_every: timedelta) -> bool:
        read_at = self._epoch_read_at
        return read_at is None or not read_at <= now < read_at + check_every

    def observe_epoch(self, counter: int, read_at: datetime) -> None:
        """The counter as just read; a move forgets every login verified before it."""
        with self._lock:
            if counter != self.epoch:
                self._entries.clear()
                self.epoch = counter
            self._epoch_read_at = read_at

    def get(
        self, token_hash: str, now: datetime, trust_for: timedelta, check_every: timedelta
    ) -> VerifiedLogin | None:
        if self.epoch_due(now, check_every):
            return None
        with self._lock:
            login = self._entries.get(token_hash)
        if login is None or login.epoch is None or login.epoch != self.epoch:
            return None
        if not login.verified_at <= now < login.verified_at + trust_for:
            return None
        return login

    def put(self, token_hash: str, login: VerifiedLogin) -> None:
        with self._lock:
            self._entries[token_hash] = login
            self._entries.move_to_end(token_hash)
            while len(self._entries) > CAPACITY:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


logins = LoginCache()


def verified(login_session: LoginSession, now: datetime, epoch: int | None) -> VerifiedLogin:
    return VerifiedLogin(
        session_id=login_session.id,
        user_id=login_session.user_id,
        role=login_session.user.role,
        csrf_token=login_session.csrf_token,
        expires_at=login_session.expires_at,
        last_seen_at=login_session.last_seen_at,
        verified_at=now,
        epoch=epoch,
    )


def read_epoch_if_due(db: Session, now: datetime, check_every: timedelta) -> None:
    if logins.epoch_due(now, check_every):
        counter = db.scalar(select(SignInRevocations.counter).where(SignInRevocations.id == 1))
        logins.observe_epoch(counter or 0, now)


def forget_logins(db: Session) -> None:
    """Call on any change that ends sessions or changes what a user may do."""
    db.execute(
        update(SignInRevocations)
        .where(SignInRevocations.id == 1)
        .values(counter=SignInRevocations.counter + 1)
    )
    logins.clear()
    # Cleared again at commit: a request in between may have cached the old state.
    db.info[_CHANGED] = True


@event.listens_for(Session, "after_commit")
def _clear_after_commit(db: Session) -> None:
    if db.info.pop(_CHANGED, False):
        logins.clear()
