"""Routes that own their request's Session: one transaction, committed before the response.

FastAPI runs a sync endpoint in a worker thread, each sync dependency in another, and
the response-model check in a third; every hop costs more than a simple read does. So
dependencies are async (and do no I/O on a hit), and each endpoint runs, and commits,
in one worker-thread call: a request costs one hop.

The Session is opened and finished here, around FastAPI's own handler, rather than by
a generator dependency: FastAPI enters and leaves an exit stack for that on every
request. `get_db` only hands the Session to whoever asks for it.
"""

import functools
import inspect
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.datastructures import DefaultPlaceholder
from fastapi.dependencies.utils import get_typed_return_annotation
from fastapi.routing import APIRoute
from pydantic import TypeAdapter
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.routing import Match
from starlette.types import Scope

from homeward.db import RequestSession, request_session
from homeward.errors import DomainError
from homeward.visibility import may_withhold, redact, viewer


def _committing(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    def call_and_commit(kwargs: dict[str, Any]) -> Any:
        result = endpoint(**kwargs)
        holder = request_session.get()
        db = holder.opened if holder is not None else None
        if db is not None and db.in_transaction():
            db.commit()
        return result

    # Async to FastAPI, so that it also checks the response model on the event loop
    # instead of paying a second thread hop for it.
    @functools.wraps(endpoint)
    async def run(**kwargs: Any) -> Any:
        return await run_in_threadpool(call_and_commit, kwargs)

    return run


def _withholding(endpoint: Callable[..., Any], response_model: Any) -> Callable[..., Any]:
    """`endpoint`, whose result is read as `response_model` and has the fields withheld
    that the signed-in role may not read (see `homeward.visibility`)."""
    adapter: TypeAdapter[Any] = TypeAdapter(response_model)

    def withheld(result: Any) -> Any:
        role = viewer.get()
        if isinstance(result, Response) or role is None:
            return result
        # A Response was written by the endpoint (`json_pages` withholds for itself); an
        # ORM row is read into the model first, so that nothing is changed on the row.
        return redact(adapter.validate_python(result, from_attributes=True), role)

    if inspect.iscoroutinefunction(endpoint):

        @functools.wraps(endpoint)
        async def run_async(**kwargs: Any) -> Any:
            return withheld(await endpoint(**kwargs))

        return run_async

    @functools.wraps(endpoint)
    def run(**kwargs: Any) -> Any:
        return withheld(endpoint(**kwargs))

    return run


async def _finish(db: Session | None, commit: bool) -> None:
    """Whatever the endpoint's thread left: work done after it, or an error's rollback."""
    if db is not None and db.in_transaction():
        await run_in_threadpool(db.commit if commit else db.rollback)


class TransactionalRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        response_model = kwargs.get("response_model")
        if isinstance(response_model, DefaultPlaceholder):
            response_model = get_typed_return_annotation(endpoint)
        if may_withhold(response_model):
            endpoint = _withholding(endpoint, response_model)
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = _committing(endpoint)
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def in_transaction(request: Request) -> Response:
            """Committed after the endpoint returns, before the response is sent.

            A `DomainError` with `persist_changes` (a failed login attempt, a denied
            access's audit event) still commits: what it recorded must outlive the error.
            """
            factory: sessionmaker[Session] = request.app.state.session_factory
            holder = RequestSession(factory)
            token = request_session.set(holder)
            try:
                response = await handler(request)
                await _finish(holder.opened, commit=True)
                return response
            except DomainError as error:
                await _finish(holder.opened, commit=error.persist_changes)
                raise
            except BaseException:
                await _finish(holder.opened, commit=False)
                raise
            finally:
                request_session.reset(token)
                if holder.opened is not None:
                    # Closing a Session with no transaction left does no I/O.
                    holder.opened.close()

        return in_transaction


class DomainRouter(APIRouter):
    """A domain's routes. Once mounted, it turns away at once paths none of them can match.

    FastAPI asks each mounted router in turn whether a path is its, and a router answers
    by trying every one of its routes; a request to the fifth router paid for all the
    routes of the four before it.
    """

    _literal_prefixes: tuple[str, ...] | None = None

    def mounted_at(self, prefix: str) -> None:
        # A path a route matches starts with the route's path up to its first parameter.
        self._literal_prefixes = tuple(
            {
                prefix + route.path.split("{")[0]
                for route in self.routes
                if isinstance(route, APIRoute)
            }
        )

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if self._literal_prefixes is not None:
            path: str = scope["path"]
            root_path: str = scope.get("root_path", "")
            if root_path and path.startswith(root_path):
                path = path[len(root_path) :]
            if not path.startswith(self._literal_prefixes):
                return Match.NONE, {}
        return super().matches(scope)


def api_router(**options: Any) -> DomainRouter:
    """A router for a domain: its routes each run in one transaction."""
    return DomainRouter(route_class=TransactionalRoute, **options)
