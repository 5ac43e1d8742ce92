"""Benchmark: `POST /partner/transfers` on PostgreSQL, as a share of the baseline's rate.

Two rows: every request with a key of its own (each makes a transfer, its webhook
event and its stored response), and one request in ten a replay of a key answered
a moment before (the stored response sent again). The app and the baseline (the
minimal FastAPI app of `baseline_app.py`) are served and loaded as `run.py` serves
and loads them, with wrk on its own core; the baseline is measured just before each
row, and each row shows its median of `ROUNDS` rounds. Goal: 8% of the baseline.

Run with `python -m tests.perf.bench_partner_transfers` (or through `make bench`).
"""

import contextlib
import json
import uuid
from dataclasses import dataclass

import httpx

from homeward import migrate
from homeward.audit.service import Actor
from homeward.db import make_engine, make_session_factory
from homeward.partners import service as partners_service
from homeward.partners.models import Partner
from homeward.partners.schemas import ApiKeyCreate
from homeward.settings import Settings
from tests.perf.run import (
    ROUNDS,
    Server,
    bench_database,
    ensure_wrk,
    free_port,
    measure_beside_baseline,
    serve,
)
from tests.perf.table import Result, median_round, print_table
from tests.transfers.helpers import transfer_body

PATH = "/api/v1/partner/transfers"
GOAL = 0.08
# A replay takes the key of the request this many before it: answered by then, with
# wrk's 8 connections, so it replays rather than meeting the first still in flight.
REPLAY_DISTANCE = 50


@dataclass(frozen=True)
class Row:
    name: str
    replay_every: int | None  # every n-th request replays an earlier key; None: never


ROWS = [
    Row("POST /partner/transfers (unique keys)", None),
    Row("POST /partner/transfers (10% replays)", 10),
]


def partner_key(database_url: str) -> str:
    engine = make_engine(Settings(database_url=database_url, log_level="WARNING"))
    with make_session_factory(engine)() as db:
        partner = Partner(name="Bench Residential", contact_email="bench@partner.example")
        db.add(partner)
        db.flush()
        key = partners_service.create_api_key(db, Actor.system(), partner.id, ApiKeyCreate())
        db.commit()
    engine.dispose()
    return key.key


def _lua(text: str) -> str:
    return f"[==[{text}]==]"


def transfer_script(api_key: str, body: str, replay_every: int | None) -> str:
    """wrk's Lua: each request a new key (a per-run prefix and a counter), or a replay."""
    prefix = uuid.uuid4().hex
    lines = [
        'wrk.method = "POST"',
        f"wrk.body = {_lua(body)}",
        'wrk.headers["Content-Type"] = "application/json"',
        f'wrk.headers["Authorization"] = {_lua("Bearer " + api_key)}',
        "turn = 0",
        "request = function()",
        "  turn = turn + 1",
        "  local n = turn",
    ]
    if replay_every:
        lines += [
            f"  if turn % {replay_every} == 0 and turn > {REPLAY_DISTANCE} then",
            f"    n = turn - {REPLAY_DISTANCE}",
            "  end",
        ]
    lines += [
        f'  wrk.headers["Idempotency-Key"] = {_lua(prefix + "-")} .. n',
        "  return wrk.format()",
        "end",
    ]
    return "\n".join(lines) + "\n"


def check(server: Server, api_key: str, body: str) -> str | None:
    """None when a transfer is made and then replayed; otherwise what went wrong."""
    headers = {
        "Authorization": f"Bearer {api_key}",
        "Content-Type": "application/json",
        "Idempotency-Key": str(uuid.uuid4()),
    }
    first = httpx.post(server.url + PATH, content=body, headers=headers, timeout=30)
    again = httpx.post(server.url + PATH, content=body, headers=headers, timeout=30)
    if first.status_code != 201:
        return f"answers {first.status_code}: {first.text[:120]}"
    if again.headers.get("idempotent-replayed") != "true":
        return f"a replay answers {again.status_code} without Idempotent-Replayed"
    return None


def measure(wrk: str, app: Server, baseline: Server, api_key: str, body: str) -> list[Result]:
    rounds: list[list[Result]] = []
    for number in range(1, ROUNDS + 1):
        print(f"Round {number} of {ROUNDS}", flush=True)
        results = []
        for row in ROWS:
            print(f"  {row.name} …", flush=True)
            script = transfer_script(api_key, body, row.replay_every)
            result = measure_beside_baseline(wrk, app, PATH, script, row.name, baseline)
            result.goal = GOAL
            results.append(result)
        rounds.append(results)
    return [median_round(list(row)) for row in zip(*rounds, strict=True)]


def main() -> None:
    wrk = ensure_wrk()
    body = json.dumps(transfer_body())
    with bench_database() as database_url, contextlib.ExitStack() as servers:
        migrate.upgrade(Settings(database_url=database_url, log_level="WARNING"))
        api_key = partner_key(database_url)
        env = {"DATABASE_URL": database_url, "HOMEWARD_LOG_LEVEL": "WARNING"}
        baseline = servers.enter_context(
            serve(["tests.perf.baseline_app:app"], free_port(), {}, "/ping")
        )
        app = servers.enter_context(
            serve(["homeward.main:create_app", "--factory"], free_port(), env, "/healthz")
        )
        problem = check(app, api_key, body)
        if problem is not None:
            print_table([Result(row.name, goal=GOAL, note=problem) for row in ROWS])
            return
        print_table(measure(wrk, app, baseline, api_key, body))


if __name__ == "__main__":
    main()
