"""The delivery loop: a pass whenever there may be work, else a wait for a new event.

On PostgreSQL the wait listens for the outbox's NOTIFY, so an event is picked up as
soon as its transaction commits; SQLite has no notifications and is polled briefly.
Either way the wait is short, so retries fall due on time.
"""

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from homeward.settings import Settings
from homeward.webhooks.delivery import Dispatcher
from homeward.webhooks.outbox import NOTIFY_CHANNEL
from homeward.webhooks.urls import UrlPolicy

logger = logging.getLogger("homeward.webhooks")

# Without a notification: how long until looking again for retries now due.
LISTEN_TIMEOUT_SECONDS = 1.0
SQLITE_POLL_SECONDS = 0.2


class _Listener:
    """A connection of its own that LISTENs for new outbox events (PostgreSQL)."""

    def __init__(self, database_url: str) -> None:
        url = make_url(database_url).set(drivername="postgresql")
        self.connection = psycopg.connect(
            url.render_as_string(hide_password=False), autocommit=True
        )
        self.connection.execute(f"LISTEN {NOTIFY_CHANNEL}")

    def wait(self, timeout: float) -> None:
        for _ in self.connection.notifies(timeout=timeout, stop_after=1):
            pass

    def close(self) -> None:
        self.connection.close()


class DeliveryLoop:
    """Runs `Dispatcher.run_once` until stopped; in `homeward worker` or a server thread."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        settings: Settings,
        *,
        batch_size: int = 50,
        concurrency: int = 8,
    ) -> None:
        self.settings = settings
        self.dispatcher = Dispatcher(
            session_factory, UrlPolicy.of(settings), batch_size=batch_size, concurrency=concurrency
        )
        self.stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @contextmanager
    def _waiter(self) -> Iterator[_Listener | None]:
        if self.settings.is_sqlite:
            yield None
            return
        listener = _Listener(self.settings.database_url)
        try:
            yield listener
        finally:
            listener.close()

    def run(self) -> None:
        with self._waiter() as listener:
            while not self.stopping.is_set():
                try:
                    if self.dispatcher.run_once():
                        continue  # there may be more due at once
                    if listener is None:
                        self.stopping.wait(SQLITE_POLL_SECONDS)
                    else:
                        listener.wait(LISTEN_TIMEOUT_SECONDS)
                except Exception:  # a busy or restarting database: try again shortly
                    logger.exception("delivering webhooks failed; retrying")
                    self.stopping.wait(LISTEN_TIMEOUT_SECONDS)
        self.dispatcher.close()

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="webhook-delivery", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.stopping.set()
        if self._thread is not None:
            self._thread.join()
