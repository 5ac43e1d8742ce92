"""A migrated database of a test's own, with committed data, and a live server over it.

The rest of the suite runs in one rolled-back transaction; tests of concurrent requests
(each on its own connection, committing for real) use these instead.
"""

import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from fastapi import FastAPI
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from homeward import migrate
from homeward.settings import Settings


@contextmanager
def own_database(settings: Settings, tmp_path: Path) -> Iterator[Settings]:
    """`settings` pointed at a new, migrated database (SQLite file or PostgreSQL database)."""
    if settings.is_sqlite:
        own = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'own.db'}"})
        migrate.upgrade(own)
        yield own
        return
    url = make_url(settings.database_url)
    name = f"homeward_own_{secrets.token_hex(4)}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        own_url = url.set(database=name).render_as_string(hide_password=False)
        own = settings.model_copy(update={"database_url": own_url})
        migrate.upgrade(own)
        yield own
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def live_server(app: FastAPI) -> Iterator[str]:
    """`app` served by uvicorn on an ephemeral port of 127.0.0.1; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()
