"""Who is calling: staff sessions, partner keys, roles. Permissions are `Annotated` deps."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, NoReturn

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from homeward.audit.reads import AuditedReads, PooledReads, SessionReads
from homeward.audit.service import Actor, record
from homeward.audit.targets import denied_target
from homeward.auth import service as auth_service
from homeward.auth.login_cache import VerifiedLogin
from homeward.auth.models import Role
from homeward.db import DbSession, current_session
from homeward.errors import DomainError, PermissionDenied, Unauthenticated
from homeward.partners import service as partners_service
from homeward.partners.models import Partner
from homeward.read_pool import ReadPool as Pool
from homeward.settings import Settings
from homeward.visibility import viewer

SESSION_COOKIE = "homeward_session"
# A browser's long-lived mark of a past sign-in (see auth/sign_in.py); sent only to sign-in.
DEVICE_COOKIE = "homeward_device"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def app_settings(request: Request) -> Settings:
    # async: pure lookups run on the event loop instead of costing a worker-thread hop.
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(app_settings)]


@dataclass(frozen=True)
class StaffPrincipal:
    login: VerifiedLogin
    actor: Actor

    @property
    def user_id(self) -> uuid.UUID:
        return self.login.user_id

    @property
    def role(self) -> Role:
        return self.login.role


@dataclass(frozen=True)
class PartnerPrincipal:
    partner: Partner
    actor: Actor


def request_actor(request: Request) -> Actor:  # a plain helper, not a dependency
    """The anonymous actor for this request: its address and request id, no identity."""
    return Actor(
        type="anonymous",
        ip=request.client.host if request.client else None,
        request_id=getattr(request.state, "request_id", None),
    )


def _record_denial(db: Session, request: Request, actor: Actor, status: int) -> None:
    """The refused route, and the resource and patients its path aimed at."""
    route = request.scope.get("route")
    target = denied_target(db, request.path_params)
    record(
        db,
        actor,
        f"{request.method} {getattr(route, 'path', request.url.path)}",
        target.resource_type,
        target.resource_id,
        patient_id=target.patient_id,
        patient_ids=target.patient_ids,
        outcome="denied",
        detail={"status": status},
    )


async def _deny(request: Request, actor: Actor, error: DomainError) -> NoReturn:
    await run_in_threadpool(_record_denial, current_session(), request, actor, error.status)
    # The denial is the audit record; it must outlive the failed request.
    error.persist_changes = True
    if error.status == 401:
        error.headers.setdefault("WWW-Authenticate", 'Bearer realm="homeward", Cookie')
    raise error


def _bearer_token(request: Request) -> str | None:
    """The Bearer token sent, or None: another scheme (a proxy's Basic auth) is not ours."""
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


async def get_staff(request: Request) -> StaffPrincipal:
    # async, and no query when the login was verified moments ago (see login_cache).
    # No sub-dependencies: FastAPI walks every sub-dependency of every dependency on
    # each request, cached or not, and each step costs.
    settings: Settings = request.app.state.settings
    anonymous = request_actor(request)
    bearer = _bearer_token(request)
    if bearer is not None:
        partner = await _authenticate_key(current_session(), bearer)
        if partner is None:
            await _deny(request, anonymous, Unauthenticated("The API key is not valid"))
        actor = Actor("partner", partner.id, None, anonymous.ip, anonymous.request_id)
        await _deny(request, actor, PermissionDenied("This route is for clinic staff only"))
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        await _deny(request, anonymous, Unauthenticated("Sign in to continue"))
    login = auth_service.cached_login(settings, token) or await run_in_threadpool(
        auth_service.resume_session, current_session(), settings, token
    )
    if login is None:
        await _deny(request, anonymous, Unauthenticated("Your session has ended; sign in again"))
    actor = Actor("user", login.user_id, login.role.value, anonymous.ip, anonymous.request_id)
    if request.method not in SAFE_METHODS and not auth_service.csrf_matches(
        login, request.headers.get(CSRF_HEADER)
    ):
        await _deny(request, actor, PermissionDenied(f"Send the {CSRF_HEADER} header from sign-in"))
    # Whom the response is for: what it may carry follows the role (`homeward.visibility`).
    viewer.set(login.role)
    return StaffPrincipal(login, actor)


async def _authenticate_key(db: Session, bearer: str) -> Partner | None:
    if not bearer:
        return None
    return await run_in_threadpool(partners_service.authenticate_key, db, bearer)


CurrentStaff = Annotated[StaffPrincipal, Depends(get_staff)]


# Dependencies that sign the caller in as staff: `get_staff`, and each role check.
SIGN_IN_CHECKS: set[Callable[..., Any]] = {get_staff}


def require_roles(*roles: Role | str) -> Any:
    """A dependency that lets through signed-in staff holding one of `roles`."""
    allowed = frozenset(Role(role) for role in roles)

    # Calls `get_staff` itself rather than depending on it: a sub-dependency costs
    # FastAPI a walk of its own on every request (see `get_staff`).
    async def check(request: Request) -> StaffPrincipal:
        staff = await get_staff(request)
        if staff.role not in allowed:
            await _deny(request, staff.actor, PermissionDenied("Your role does not allow this"))
        return staff

    SIGN_IN_CHECKS.add(check)
    return Depends(check)


async def get_partner(request: Request, db: DbSession) -> PartnerPrincipal:
    anonymous = request_actor(request)
    bearer = _bearer_token(request)
    partner = await _authenticate_key(db, bearer or "")
    if partner is None:
        await _deny(request, anonymous, Unauthenticated("Send Authorization: Bearer <api key>"))
    return PartnerPrincipal(
        partner, Actor("partner", partner.id, None, anonymous.ip, anonymous.request_id)
    )


CurrentPartner = Annotated[PartnerPrincipal, Depends(get_partner)]


async def read_pool(request: Request) -> Pool | None:
    """The server's pool of PostgreSQL connections; None where requests use the Session."""
    pool: Pool | None = request.app.state.read_pool
    return pool


ReadPool = Annotated[Pool | None, Depends(read_pool)]


async def audited_reads(request: Request) -> AuditedReads:
    """Reads on the server's pool where it has one (PostgreSQL), else on the Session."""
    pool = await read_pool(request)
    return PooledReads(pool) if pool is not None else SessionReads(current_session())


Reads = Annotated[AuditedReads, Depends(audited_reads)]

AdminOnly = Annotated[StaffPrincipal, require_roles(Role.admin)]


PUBLIC_PATHS = ("/api/v1/auth/login", "/api/v1/public/")


def credential_accepted(request: Request) -> bool:
    """Whether a request may learn more than "authenticate first": public, or a valid credential.

    Used where the framework fails a request before authentication has run.
    """
    if not request.url.path.startswith("/api/") or request.url.path.startswith(PUBLIC_PATHS):
        return True
    settings: Settings = request.app.state.settings
    with request.app.state.session_factory() as db:
        bearer = _bearer_token(request)
        if bearer:
            return partners_service.authenticate_key(db, bearer) is not None
        token = request.cookies.get(SESSION_COOKIE)
        if not token:
            return False
        return auth_service.resume_session(db, settings, token) is not None
