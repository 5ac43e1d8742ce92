"""`make bench`: HTTP throughput of the hot endpoints against a baseline, on PostgreSQL.

Creates a throw-away PostgreSQL database, migrates it, builds a synthetic clinic
of 5,000 active enrollments, then serves the real app with uvicorn on CPU 0 and
loads it with wrk on CPU 1. A minimal FastAPI app served the same way is the
baseline each result is compared to, measured again just before each result. A
plain ORM read by primary key, with no sign-in or roles (`reference_read_app.py`),
is measured the same way for scale: bare, and with its audit event written and
committed. Every row is measured in `ROUNDS` rounds, in turn, and shows its median
(`table.py`). Then every `tests/perf/bench_*.py` runs.
Everything talks to 127.0.0.1 only; the database is dropped at the end.
"""

import contextlib
import importlib
import json
import os
import pkgutil
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.pool import NullPool

from homeward import clock, migrate
from homeward.auth.models import Role, User
from homeward.auth.passwords import hash_password
from homeward.db import make_engine, make_session_factory
from homeward.enrollments.models import Enrollment, EnrollmentStatus
from homeward.programs.models import SessionType
from homeward.seed.history import settle_after_bulk_load
from homeward.seed.scale import build_synthetic_clinic
from homeward.sessions.models import RosterEntry, TreatmentSession
from homeward.settings import Settings
from tests.perf.table import BARE_ORM_READ, Result, median_round, print_table

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
ACTIVE_ENROLLMENTS = 5_000
HISTORY_DAYS = 60
ROSTER_SIZE = 30
# Rounds of every row, in turn (`BENCH_ROUNDS`); each row shows its median round.
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
DURATION = "6s"
CONNECTIONS = 8
BENCH_EMAIL = "bench-admin@homeward.example"
BENCH_PASSWORD = "bench-password-2026"
SERVER_CPU, LOAD_CPU = "0", "1"
UVICORN_OPTIONS = ["--workers", "1", "--no-access-log", "--log-level", "warning"]
REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Endpoint:
    name: str
    method: str
    path: str  # the concrete path requested
    route: str  # the OpenAPI path template, to tell "not built yet" from a failure
    goal: float | None  # the share of the baseline's requests/s to reach; None: a reference
    body: str | None = None
    # Paths and bodies requested in turn instead of `path` and `body` (which are what is
    # checked first).
    paths: list[str] | None = None
    bodies: list[str] | None = None


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("Installing wrk with apt …", flush=True)
    install = ["apt-get", "install", "-y", "wrk"]
    if subprocess.run(install, stdout=subprocess.DEVNULL).returncode != 0:
        subprocess.run(["apt-get", "update"], stdout=subprocess.DEVNULL)
        subprocess.run(install, stdout=subprocess.DEVNULL)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is not available; install it with `apt-get install -y wrk`")
    return found


@contextlib.contextmanager
def bench_database() -> Iterator[str]:
    name = f"homeward_bench_{secrets.token_hex(4)}"
    admin = create_engine(f"{SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{SERVER}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()
        print(f"Dropped database {name}.")


@dataclass
class Fixtures:
    enrollment_id: uuid.UUID
    session_id: uuid.UUID
    roster: list[uuid.UUID]
    # Every active enrollment: reads that find no snapshot kept for theirs.
    active: list[uuid.UUID]
    day_from: str
    day_to: str


def prepare(database_url: str) -> Fixtures:
    settings = Settings(database_url=database_url, log_level="WARNING")
    migrate.upgrade(settings)
    engine = make_engine(settings)
    factory = make_session_factory(engine)
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        print(f"\r  built {done:>6}/{total} enrollments", end="", flush=True)

    print(f"Building a synthetic clinic of {ACTIVE_ENROLLMENTS} active enrollments …")
    with factory() as db:
        build_synthetic_clinic(db, ACTIVE_ENROLLMENTS, days=HISTORY_DAYS, progress=progress)
        db.commit()
    # As `homeward seed --scale` does.
    settle_after_bulk_load(engine)
    print(f"\n  done in {time.perf_counter() - started:.1f} s")

    now = clock.now()
    with factory() as db:
        db.add(
            User(
                email=BENCH_EMAIL,
                full_name="Bench Admin",
                role=Role.admin,
                password_hash=hash_password(BENCH_PASSWORD),
            )
        )
        program_id = db.scalar(select(Enrollment.program_id).limit(1))
        roster = list(
            db.scalars(
                select(Enrollment.id)
                .where(
                    Enrollment.program_id == program_id,
                    Enrollment.status == EnrollmentStatus.active,
                )
                .order_by(Enrollment.id)
                .limit(ROSTER_SIZE)
            )
        )
        active = list(
            db.scalars(
                select(Enrollment.id)
                .where(Enrollment.status == EnrollmentStatus.active)
                .order_by(Enrollment.id)
            )
        )
        # An ad-hoc group yesterday with exactly the roster the attendance PUT sends.
        session_id = uuid.uuid4()
        starts_at = (now - timedelta(days=1)).replace(microsecond=0)
        db.execute(
            insert(TreatmentSession),
            [
                {
                    "id": session_id,
                    "program_id": program_id,
                    "slot_id": None,
                    "session_type": SessionType.family,
                    "title": "Bench family group",
                    "starts_at": starts_at,
                    "ends_at": starts_at + timedelta(hours=2),
                }
            ],
        )
        db.execute(
            insert(RosterEntry), [{"session_id": session_id, "enrollment_id": e} for e in roster]
        )
        sessions = db.scalar(
            select(func.count())
            .select_from(TreatmentSession)
            .where(TreatmentSession.starts_at >= now.replace(hour=0, minute=0, second=0))
            .where(TreatmentSession.starts_at < now.replace(hour=0, minute=0) + timedelta(days=1))
        )
        db.commit()
    engine.dispose()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    # A weekday, so the day has sessions to list.
    while midnight.weekday() >= 5:
        midnight -= timedelta(days=1)
    print(f"  {sessions} sessions today; listing {midnight:%A %Y-%m-%d}")
    return Fixtures(
        enrollment_id=roster[0],
        session_id=session_id,
        roster=roster,
        active=active,
        day_from=midnight.strftime("%Y-%m-%dT%H:%M:%S"),
        day_to=(midnight + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S"),
    )


def endpoints(fixtures: Fixtures, round_number: int) -> list[Endpoint]:
    """What each round measures; `round_number` (from 1) picks the progress computed
    afresh from enrollments no earlier round has read."""
    attendance = [
        {"enrollment_id": str(e), "status": "present" if n % 6 else "absent_excused"}
        for n, e in enumerate(fixtures.roster)
    ]
    # Every record's status turned over, save after save.
    turned = [
        {"enrollment_id": str(e), "status": "absent_unexcused" if n % 6 else "present"}
        for n, e in enumerate(fixtures.roster)
    ]
    unread = fixtures.active[round_number - 1 :: ROUNDS]
    return [
        # The app's own floor: every middleware and a worker-thread hop, no database.
        Endpoint("reference: GET /healthz (no database)", "GET", "/healthz", "/healthz", None),
        Endpoint(
            "GET /enrollments?status=active&limit=50",
            "GET",
            "/api/v1/enrollments?status=active&limit=50",
            "/api/v1/enrollments",
            0.10,
        ),
        Endpoint(
            "GET /enrollments/{id}",
            "GET",
            f"/api/v1/enrollments/{fixtures.enrollment_id}",
            "/api/v1/enrollments/{enrollment_id}",
            0.20,
        ),
        Endpoint(
            "GET /enrollments/{id}/progress",
            "GET",
            f"/api/v1/enrollments/{fixtures.enrollment_id}/progress",
            "/api/v1/enrollments/{enrollment_id}/progress",
            0.20,
        ),
        # Each request another enrollment's, read for the first time: the view computed
        # afresh, as after any change to its inputs (the row above serves what was kept).
        Endpoint(
            "reference: progress computed afresh",
            "GET",
            f"/api/v1/enrollments/{unread[-1]}/progress",
            "/api/v1/enrollments/{enrollment_id}/progress",
            None,
            paths=[f"/api/v1/enrollments/{e}/progress" for e in unread[:-1]],
        ),
        Endpoint(
            "GET /sessions?from&to (one day)",
            "GET",
            f"/api/v1/sessions?from={fixtures.day_from}&to={fixtures.day_to}",
            "/api/v1/sessions",
            0.10,
        ),
        Endpoint(
            f"PUT /sessions/{{id}}/attendance ({ROSTER_SIZE})",
            "PUT",
            f"/api/v1/sessions/{fixtures.session_id}/attendance",
            "/api/v1/sessions/{session_id}/attendance",
            0.10,
            body=json.dumps(attendance),
        ),
        # The row above re-sends one list: its records' notes and times are rewritten, but
        # nothing the progress view reads changes. Here every status changes each time, so
        # every save also expires the progress of all 30.
        Endpoint(
            "reference: attendance, every status changed",
            "PUT",
            f"/api/v1/sessions/{fixtures.session_id}/attendance",
            "/api/v1/sessions/{session_id}/attendance",
            None,
            body=json.dumps(attendance),
            bodies=[json.dumps(turned), json.dumps(attendance)],
        ),
    ]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    url: str
    pid: int
    database_url: str | None = None


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def database_pids() -> list[int]:
    found = subprocess.run(["pgrep", "-x", "postgres"], capture_output=True, text=True).stdout
    return [int(pid) for pid in found.split()]


class CpuMeter:
    """The CPU time the server and the database spend between start and `stop`.

    It shows where a request's time goes: a result far below its goal with a large
    database share waits on queries; with a large server share, on Python.
    """

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid
        self.server_start = cpu_seconds(server_pid)
        # Backends started during the run (new pool connections) count from zero.
        self.database_start = {pid: cpu_seconds(pid) for pid in database_pids()}

    def stop(self) -> tuple[float, float]:
        server = cpu_seconds(self.server_pid) - self.server_start
        database = sum(
            cpu_seconds(pid) - self.database_start.get(pid, 0.0) for pid in database_pids()
        )
        return server, database


@contextlib.contextmanager
def serve(
    target: list[str],
    port: int,
    env: dict[str, str],
    ready_path: str,
    tree: Path = REPO_ROOT,
    python: str = sys.executable,
) -> Iterator[Server]:
    """uvicorn pinned to the server CPU, run by `python` from `tree`; yields it once it
    answers."""
    command = ["taskset", "-c", SERVER_CPU, python, "-m", "uvicorn", *target]
    command += ["--host", "127.0.0.1", "--port", str(port), *UVICORN_OPTIONS]
    process = subprocess.Popen(command, env={**os.environ, **env}, cwd=tree)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(base + ready_path, timeout=2).status_code < 500:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server {' '.join(target)} did not start")
            time.sleep(0.3)
        yield Server(base, process.pid, env.get("DATABASE_URL"))
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def app_environment(database_url: str) -> dict[str, str]:
    return {"DATABASE_URL": database_url, "HOMEWARD_LOG_LEVEL": "WARNING"}


def serve_baseline() -> contextlib.AbstractContextManager[Server]:
    return serve(["tests.perf.baseline_app:app"], free_port(), {}, "/ping")


@contextlib.contextmanager
def serve_app(
    database_url: str, tree: Path = REPO_ROOT, python: str = sys.executable
) -> Iterator[tuple[Server, set[str]]]:
    """The app of `tree` on `database_url`, and the paths its OpenAPI document lists."""
    target = ["homeward.main:create_app", "--factory"]
    env = app_environment(database_url)
    with serve(target, free_port(), env, "/healthz", tree, python) as app:
        yield app, set(httpx.get(app.url + "/openapi.json", timeout=30).json()["paths"])


def wait_for_the_seal(server: Server, timeout: float = 60.0) -> None:
    """Until the app's sealer has linked every audit event in its database.

    The sealer links events in the app's process, after their requests: the work one
    row leaves must not be measured with the next (or, in a comparison, beside the other
    commit's app).
    """
    if server.database_url is None:
        return
    engine = create_engine(server.database_url, poolclass=NullPool)
    try:
        deadline = time.monotonic() + timeout
        unlinked = text("SELECT EXISTS (SELECT 1 FROM audit_events WHERE seq IS NULL)")
        with engine.connect() as connection:
            while connection.execute(unlinked).scalar() and time.monotonic() < deadline:
                connection.rollback()
                time.sleep(0.2)
    finally:
        engine.dispose()


_LATENCY = re.compile(r"^\s*(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def run_wrk(wrk: str, server: Server, path: str, script: str, name: str) -> Result:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
        script_path = handle.name
    url = server.url + path
    meter = CpuMeter(server.pid)
    try:
        command = ["taskset", "-c", LOAD_CPU, wrk, "-t1", f"-c{CONNECTIONS}", f"-d{DURATION}"]
        command += ["--latency", "--timeout", "5s", "-s", script_path, url]
        output = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
    finally:
        os.unlink(script_path)
    server_cpu, database_cpu = meter.stop()
    requests = re.search(r"(\d+) requests in", output)
    count = int(requests.group(1)) if requests else 0
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    latencies = {
        percentile: float(value) * _UNITS[unit]
        for percentile, value, unit in _LATENCY.findall(output)
    }
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors:.*", output)
    return Result(
        name,
        requests_per_second=float(rate.group(1)) if rate else None,
        p50_ms=latencies.get("50"),
        p99_ms=latencies.get("99"),
        errors=int(errors.group(1)) if errors else 0,
        note=socket_errors.group(0) if socket_errors else "",
        server_cpu_us=server_cpu / count * 1e6 if count else None,
        database_cpu_us=database_cpu / count * 1e6 if count else None,
    )


def _lua_string(value: str) -> str:
    return f"[==[{value}]==]"


def lua_script(
    method: str,
    headers: dict[str, str],
    body: str | None,
    paths: list[str] | None = None,
    bodies: list[str] | None = None,
) -> str:
    lines = [f"wrk.method = {_lua_string(method)}"]
    # The spaces matter: `[[` would open a Lua long string.
    lines += [f"wrk.headers[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in headers.items()]
    if body is not None:
        lines.append(f"wrk.body = {_lua_string(body)}")
    if not paths and not bodies:
        return "\n".join(lines) + "\n"
    # Each request takes the next path and the next body, where there are several; an
    # unset table is nil in Lua, and a nil path or body is wrk's own.
    for name, values in (("paths", paths), ("bodies", bodies)):
        if values:
            lines.append(f"{name} = {{ {', '.join(_lua_string(value) for value in values)} }}")
    lines += [
        "turn = 0",
        "request = function()",
        "  local path = paths and paths[turn % #paths + 1]",
        "  local body = bodies and bodies[turn % #bodies + 1]",
        "  turn = turn + 1",
        "  return wrk.format(nil, path, nil, body)",
        "end",
    ]
    return "\n".join(lines) + "\n"


def sign_in(base: str) -> dict[str, str]:
    """A fresh login per endpoint run: the idle timeout (15 min) never ends one mid-run."""
    response = httpx.post(
        base + "/api/v1/auth/login",
        json={"email": BENCH_EMAIL, "password": BENCH_PASSWORD},
        timeout=30,
    )
    response.raise_for_status()
    cookie = "; ".join(f"{name}={value}" for name, value in response.cookies.items())
    return {"Cookie": cookie, "X-CSRF-Token": response.json()["csrf_token"]}


def measure_endpoint(
    wrk: str, server: Server, baseline: Server, endpoint: Endpoint, routes: set[str]
) -> Result:
    if endpoint.route not in routes:
        return Result(endpoint.name, goal=endpoint.goal, note="not available yet")
    headers = sign_in(server.url)
    if endpoint.body is not None:
        headers["Content-Type"] = "application/json"
    check = httpx.request(
        endpoint.method,
        server.url + endpoint.path,
        headers=headers,
        content=endpoint.body,
        timeout=60,
    )
    if not check.is_success:
        note = f"answers {check.status_code}: {check.text[:120]}"
        return Result(endpoint.name, goal=endpoint.goal, note=note)
    script = lua_script(endpoint.method, headers, endpoint.body, endpoint.paths, endpoint.bodies)
    result = measure_beside_baseline(wrk, server, endpoint.path, script, endpoint.name, baseline)
    result.goal = endpoint.goal
    return result


def measure_beside_baseline(
    wrk: str, server: Server, path: str, script: str, name: str, baseline: Server
) -> Result:
    before = run_wrk(wrk, baseline, "/ping", lua_script("GET", {}, None), "baseline")
    result = run_wrk(wrk, server, path, script, name)
    result.baseline_per_second = before.requests_per_second
    result.baseline_cpu_us = before.server_cpu_us
    return result


def run_other_benchmarks() -> None:
    import tests.perf

    for module_info in sorted(pkgutil.iter_modules(tests.perf.__path__), key=lambda m: m.name):
        if not module_info.name.startswith("bench_"):
            continue
        print(f"\n== tests/perf/{module_info.name}.py ==", flush=True)
        try:
            importlib.import_module(f"tests.perf.{module_info.name}").main()
        except Exception as error:  # one broken benchmark must not hide the others
            print(f"{module_info.name} failed: {error!r}")


def main() -> None:
    # `python -m tests.perf.run http` measures only the HTTP table; `others` only the rest.
    part = sys.argv[1] if len(sys.argv) > 1 else "all"
    if part in ("all", "http"):
        measure_http()
    if part in ("all", "others"):
        run_other_benchmarks()


def measure_http() -> None:
    wrk = ensure_wrk()
    with bench_database() as database_url, contextlib.ExitStack() as servers:
        fixtures = prepare(database_url)
        # All three are served at once, each idle while another is measured.
        baseline = servers.enter_context(serve_baseline())
        reference = servers.enter_context(
            serve(
                ["tests.perf.reference_read_app:app"],
                free_port(),
                app_environment(database_url),
                "/enrollments/" + str(uuid.uuid4()),
            )
        )
        app, routes = servers.enter_context(serve_app(database_url))
        rounds = []
        for number in range(1, ROUNDS + 1):
            print(f"Round {number} of {ROUNDS}", flush=True)
            rounds.append(measure_round(wrk, baseline, reference, app, fixtures, routes, number))
    print_table([median_round(row) for row in zip(*rounds, strict=True)])


def measure_round(
    wrk: str,
    baseline: Server,
    reference: Server,
    app: Server,
    fixtures: Fixtures,
    routes: set[str],
    number: int,
) -> list[Result]:
    print("  references: a plain ORM read by id, bare and audited …", flush=True)
    read = f"/enrollments/{fixtures.enrollment_id}"
    anonymous = lua_script("GET", {}, None)
    results = [
        measure_beside_baseline(wrk, reference, read, anonymous, BARE_ORM_READ, baseline),
        measure_beside_baseline(
            wrk,
            reference,
            read + "/audited",
            anonymous,
            "reference: the same, audit event committed",
            baseline,
        ),
    ]
    for endpoint in endpoints(fixtures, number):
        print(f"  {endpoint.name} …", flush=True)
        wait_for_the_seal(app)
        results.append(measure_endpoint(wrk, app, baseline, endpoint, routes))
    return results


if __name__ == "__main__":
    main()
