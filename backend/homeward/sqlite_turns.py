"""SQLite's write lock, handed to the process's threads in the order they asked for it.

Every transaction takes SQLite's write lock up front (`BEGIN IMMEDIATE`, see `db.py`).
SQLite itself makes a waiting connection poll: it sleeps, up to a tenth of a second at
a time, and tries again. Under many writers a poller keeps losing to connections that
happen to try at the right moment, and some waited for seconds while most waited for
milliseconds. Within a process, writers therefore queue here first, and each is woken
when its turn comes; SQLite's own busy timeout still covers other processes (the
worker, a CLI command).

A connection holds its turn from its BEGIN until its COMMIT or ROLLBACK has finished,
or until it is closed.
"""

import sqlite3
import threading
import time
from collections import deque
from typing import Any


class Turns:
    """A lock that is granted in the order it was asked for, with a timeout."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._waiting: deque[object] = deque()
        self._held = False

    def acquire(self, timeout: float) -> bool:
        ticket = object()
        deadline = time.monotonic() + timeout
        with self._condition:
            self._waiting.append(ticket)
            while self._held or self._waiting[0] is not ticket:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self._waiting.remove(ticket)
                    self._condition.notify_all()  # the next in line may be first now
                    return False
                self._condition.wait(remaining)
            self._waiting.popleft()
            self._held = True
            return True

    def release(self) -> None:
        with self._condition:
            self._held = False
            self._condition.notify_all()


_turns_by_file: dict[str, Turns] = {}
_registry_lock = threading.Lock()


def turns_for(path: str) -> Turns:
    """The one queue of a database file, shared by every engine of the process."""
    with _registry_lock:
        return _turns_by_file.setdefault(path, Turns())


class TurnTakingConnection(sqlite3.Connection):
    """A connection that gives its turn back once its transaction has ended."""

    turns: Turns | None = None
    holds_turn = False

    def take_turn(self, timeout: float) -> None:
        assert self.turns is not None
        if not self.turns.acquire(timeout):
            # The message SQLite gives for the same wait, so one handler answers both.
            raise sqlite3.OperationalError("database is locked (waited for the write lock)")
        self.holds_turn = True

    def give_turn_back(self) -> None:
        if self.holds_turn and self.turns is not None:
            self.holds_turn = False
            self.turns.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.give_turn_back()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.give_turn_back()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.give_turn_back()


def connection_class(path: str) -> type[TurnTakingConnection]:
    """The connection class for `sqlite3.connect(factory=...)` on the file at `path`."""
    attributes: dict[str, Any] = {"turns": turns_for(path)}
    return type("FileTurnTakingConnection", (TurnTakingConnection,), attributes)
