"""Recently verified login sessions, so that a signed-in request needs no query to authenticate.

An entry is a snapshot of the session and its user, trusted for a few seconds
(`Settings.login_trust_seconds`) after it was read. Every change in this process that
could end a session or change a role (sign-out, a user update) empties the cache, at
once and again when that change commits, so here it takes effect immediately. Another
server process sees such a change within those seconds: the price of not reading the
session on every request.
"""

import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import event
from sqlalchemy.orm import Session

from homeward.auth.models import Role

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


class LoginCache:
    def __init__(self) -> None:
        self._entries: OrderedDict[str, VerifiedLogin] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, token_hash: str, now: datetime, trust_for: timedelta) -> VerifiedLogin | None:
        with self._lock:
            login = self._entries.get(token_hash)
        if login is None or not login.verified_at <= now < login.verified_at + trust_for:
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


def forget_logins(db: Session) -> None:
    """Call on any change that ends sessions or changes what a user may do."""
    logins.clear()
    # Cleared again at commit: a request in between may have cached the old state.
    db.info[_CHANGED] = True


@event.listens_for(Session, "after_commit")
def _clear_after_commit(db: Session) -> None:
    if db.info.pop(_CHANGED, False):
        logins.clear()
