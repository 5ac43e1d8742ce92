"""Real server processes (uvicorn) on a database of their own, for tests across processes.

The rest of the suite shares one rolled-back connection; what parallel requests and
several processes do to each other shows only on committed data and real servers.
"""

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from homeward import migrate
from homeward.settings import REPO_ROOT, Settings

START_TIMEOUT_SECONDS = 240


@dataclass
class Server:
    url: str
    process: "subprocess.Popen[bytes]"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@contextmanager
def own_database(settings: Settings) -> Iterator[Settings]:
    """A migrated database that nothing else uses: a SQLite file, or a new PostgreSQL one."""
    if settings.is_sqlite:
        with tempfile.TemporaryDirectory(prefix="homeward-served-") as folder:
            own = settings.model_copy(
                update={"database_url": f"sqlite:///{Path(folder) / 'served.db'}"}
            )
            migrate.upgrade(own)
            yield own
        return
    server = settings.database_url.rsplit("/", 1)[0]
    name = f"homeward_served_{secrets.token_hex(4)}"
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        own = settings.model_copy(update={"database_url": f"{server}/{name}"})
        migrate.upgrade(own)
        yield own
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the server exited with {server.process.returncode}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not start in time")


@contextmanager
def serve(settings: Settings, processes: int = 1, **env: str) -> Iterator[list[Server]]:
    """`processes` uvicorn servers of the app on `settings`' database, each on its own port."""
    environment = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "HOMEWARD_ENVIRONMENT": "test",
        "HOMEWARD_SECRET_KEY": settings.secret_key,
        "HOMEWARD_LOG_LEVEL": "WARNING",
        **{f"HOMEWARD_{name.upper()}": value for name, value in env.items()},
    }
    servers: list[Server] = []
    try:
        for _ in range(processes):
            port = _free_port()
            command = [
                sys.executable,
                "-m",
                "uvicorn",
                "homeward.main:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-access-log",
            ]
            process = subprocess.Popen(command, env=environment, cwd=REPO_ROOT)
            servers.append(Server(f"http://127.0.0.1:{port}", process))
        for server in servers:
            _wait_until_up(server)
        yield servers
    finally:
        for server in servers:
            server.process.terminate()
        for server in servers:
            try:
                server.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait()
