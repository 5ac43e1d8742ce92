"""Every route, every principal: the expected outcome, and no unexpected allow anywhere."""

import importlib
import pkgutil
import re
import uuid

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

import tests.authz
from tests.authz.expectations import ALLOW, PRINCIPALS, ROLES, Outcome
from tests.factories import Factories, login_as, partner_client

BODY_METHODS = {"POST", "PUT", "PATCH"}


def matrix() -> dict[tuple[str, str], Outcome]:
    table: dict[tuple[str, str], Outcome] = {}
    for module_info in pkgutil.iter_modules(tests.authz.__path__):
        if module_info.name.startswith("routes_"):
            module = importlib.import_module(f"tests.authz.{module_info.name}")
            overlap = table.keys() & module.ROUTES.keys()
            assert not overlap, f"listed twice: {overlap}"
            table.update(module.ROUTES)
    return table


def app_routes(app: FastAPI) -> set[tuple[str, str]]:
    routes: set[tuple[str, str]] = set()
    for route in iter_route_contexts(app.routes):
        if route.path is None or not route.methods or route.path.startswith(("/docs", "/openapi")):
            continue
        if route.path == "/{path:path}":  # the single-page app's fallback, when built
            continue
        routes |= {(method, route.path) for method in route.methods if method != "HEAD"}
    return routes


def test_every_route_is_in_the_matrix(app: FastAPI) -> None:
    table = matrix()
    missing = app_routes(app) - table.keys()
    assert not missing, f"routes missing from the authorization matrix: {sorted(missing)}"
    stale = table.keys() - app_routes(app)
    assert not stale, f"matrix rows for routes that no longer exist: {sorted(stale)}"
    for key, outcome in table.items():
        assert set(outcome) == set(PRINCIPALS), f"{key} does not cover every principal"


def _clients(app: FastAPI, factories: Factories) -> dict[str, TestClient]:
    clients: dict[str, TestClient] = {"anonymous": TestClient(app, raise_server_exceptions=False)}
    for role in ROLES:
        clients[role] = login_as(app, factories, role)
    clients["partner"] = partner_client(app, factories.api_key(factories.partner()))
    return clients


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), path)


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_matrix_outcomes(app: FastAPI, factories: Factories, principal: str) -> None:
    table = matrix()
    client = _clients(app, factories)[principal]
    # Signing out last, so that it does not end the session the other calls use.
    ordered = sorted(app_routes(app), key=lambda key: (key[1].endswith("/logout"), key))
    failures = []
    for method, path in ordered:
        expected = table[(method, path)][principal]
        kwargs = {"json": {}} if method in BODY_METHODS else {}
        status = client.request(method, _concrete(path), **kwargs).status_code
        if expected == ALLOW:
            if status in (401, 403):
                failures.append(f"{method} {path}: expected access, got {status}")
        elif status != expected:
            failures.append(f"{method} {path}: expected {expected}, got {status}")
    assert not failures, "\n".join(failures)
