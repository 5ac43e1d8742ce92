"""Routers whose synchronous endpoints commit the request's transaction in their own thread.

FastAPI runs a sync endpoint in a worker thread, each sync dependency in another, and
the response-model check in a third; every hop costs more than a simple read does. So
dependencies are async (and do no I/O on a hit), and each endpoint runs, and commits,
in one worker-thread call: a request costs one hop. `get_db` finishes whatever is
left, such as an error's rollback.
"""

import functools
import inspect
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from homeward.db import request_session


def _committing(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    def call_and_commit(kwargs: dict[str, Any]) -> Any:
        result = endpoint(**kwargs)
        db = request_session.get()
        if db is not None and db.in_transaction():
            db.commit()
        return result

    # Async to FastAPI, so that it also checks the response model on the event loop
    # instead of paying a second thread hop for it.
    @functools.wraps(endpoint)
    async def run(**kwargs: Any) -> Any:
        return await run_in_threadpool(call_and_commit, kwargs)

    return run


class TransactionalRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = _committing(endpoint)
        super().__init__(path, endpoint, **kwargs)


def api_router(**options: Any) -> APIRouter:
    """An `APIRouter` for a domain: its sync endpoints commit in their own thread."""
    return APIRouter(route_class=TransactionalRoute, **options)
