"""Routers whose synchronous endpoints commit the request's transaction in their own thread.

FastAPI runs a sync endpoint in a worker thread and each sync dependency in another;
every hop costs more than a simple read does. So dependencies are async (and do no
I/O on a hit), and the commit runs right after the endpoint, in the endpoint's thread:
a request costs one hop. `get_db` finishes whatever is left, such as an error's rollback.
"""

import functools
import inspect
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute

from homeward.db import request_session


def _committing(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(endpoint)
    def run(*args: Any, **kwargs: Any) -> Any:
        result = endpoint(*args, **kwargs)
        db = request_session.get()
        if db is not None and db.in_transaction():
            db.commit()
        return result

    return run


class TransactionalRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = _committing(endpoint)
        super().__init__(path, endpoint, **kwargs)


def api_router(**options: Any) -> APIRouter:
    """An `APIRouter` for a domain: its sync endpoints commit in their own thread."""
    return APIRouter(route_class=TransactionalRoute, **options)
