"""PostgreSQL: a process holds no more connections than its budget, and opens no new
ones under load; more concurrent requests than connections get 2xx or 503, never 500."""

import threading
import time
from collections import Counter

import httpx
import psycopg
from sqlalchemy.engine import make_url

from homeward.db import connection_budget
from homeward.main import create_app
from homeward.settings import Settings
from tests.live_server import serving
from tests.served_clinic import Clinic, clinic, signed_in  # noqa: F401  (a fixture)

# 2 for the pooled reads, 1 for the webhook delivery loop's LISTEN, 3 for the Sessions
# (and as many worker threads), which the delivery loop and the chain sealer share.
BUDGET = 6
CLIENTS = 40
REQUESTS_EACH = 6


class ConnectionWatch:
    """Polls pg_stat_activity for the database: the most connections at once, and who."""

    def __init__(self, database_url: str) -> None:
        url = make_url(database_url)
        self.database = url.database
        server = url.set(drivername="postgresql", database="postgres")
        self._conninfo = server.render_as_string(hide_password=False)
        self.most = 0
        self.backends: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def current(self) -> set[int]:
        with psycopg.connect(self._conninfo, autocommit=True) as connection:
            rows = connection.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", [self.database]
            )
            return {pid for (pid,) in rows}

    def _watch(self) -> None:
        with psycopg.connect(self._conninfo, autocommit=True) as connection:
            while not self._stop.is_set():
                rows = connection.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s", [self.database]
                ).fetchall()
                pids = {pid for (pid,) in rows} - self.before
                self.most = max(self.most, len(pids))
                self.backends |= pids
                time.sleep(0.005)

    def __enter__(self) -> "ConnectionWatch":
        self.before = self.current()
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


def test_more_requests_than_connections_get_2xx_or_503(clinic: Clinic) -> None:  # noqa: F811
    own = clinic.settings.model_copy(
        update={
            "db_connections": BUDGET,
            "read_pool_size": 2,
            "db_wait_seconds": 0.5,
            "audit_seal_seconds": 0.2,
            "webhook_worker_in_process": True,
        }
    )
    clinic.session.close()
    clinic.session.get_bind().dispose()  # the fixture's own connections
    paths = [
        f"/api/v1/enrollments/{clinic.enrollment_id}",  # the pooled read
        f"/api/v1/patients/{clinic.patient_id}",  # a read on the request's Session
        "/api/v1/enrollments?limit=10",  # the pooled list
    ]
    statuses: Counter[int] = Counter()
    missing_retry_after = 0
    lock = threading.Lock()
    with ConnectionWatch(own.database_url) as watch, serving(lambda: create_app(own)) as url:
        session = signed_in(httpx.Client(base_url=url, timeout=60), clinic.email)  # type: ignore[arg-type]
        start = threading.Barrier(CLIENTS)

        def client(n: int) -> None:
            nonlocal missing_retry_after
            with httpx.Client(
                base_url=url, cookies=session.cookies, headers=session.headers, timeout=60
            ) as http:
                start.wait()
                for i in range(REQUESTS_EACH):
                    response = http.get(paths[(n + i) % len(paths)])
                    with lock:
                        statuses[response.status_code] += 1
                        if response.status_code == 503 and not response.headers.get("retry-after"):
                            missing_retry_after += 1

        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        session.close()
    print(
        f"\nPostgreSQL, budget {BUDGET} connections, {CLIENTS} concurrent clients x"
        f" {REQUESTS_EACH} requests: statuses {dict(statuses)}; at most {watch.most}"
        f" server connections at once, {len(watch.backends)} opened in all"
    )
    assert sum(statuses.values()) == CLIENTS * REQUESTS_EACH
    assert set(statuses) <= {200, 503}, statuses
    assert statuses[200] > 0 and missing_retry_after == 0
    assert 0 < watch.most <= BUDGET
    # No churn: every connection the server opened stayed open for the whole run.
    assert len(watch.backends) <= BUDGET


def test_the_budget_is_shared_out_whole() -> None:
    settings = Settings(environment="test", database_url="postgresql://h/d", secret_key="k")
    for total in (2, 3, 6, 30):
        for worker in (False, True):
            for pooled in (False, True):
                configured = settings.model_copy(
                    update={"db_connections": total, "webhook_worker_in_process": worker}
                )
                budget = connection_budget(configured, pooled)
                assert budget.session + budget.reads + budget.listener == total
                assert budget.session >= 1 and budget.listener == int(worker)
