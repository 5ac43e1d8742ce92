import uuid
from datetime import datetime

from fastapi import Request, Response, status

from homeward.auth import service, sign_in
from homeward.auth.exceptions import (
    AccountLocked,
    AddressThrottled,
    EmailTaken,
    InvalidCredentials,
    LastAdmin,
    WeakPassword,
)
from homeward.auth.models import User
from homeward.auth.schemas import LoginRequest, LoginResult, UserCreate, UserRead, UserUpdate
from homeward.db import DbSession
from homeward.deps import (
    DEVICE_COOKIE,
    SESSION_COOKIE,
    AdminOnly,
    CurrentStaff,
    SettingsDep,
    request_actor,
)
from homeward.errors import NotFound, responses
from homeward.http.pagination import Pagination
from homeward.http.routing import api_router
from homeward.pagination import Page
from homeward.settings import Settings

public_router = api_router(prefix="/auth", tags=["auth"])
router = api_router(tags=["auth"])


def _login_result(
    settings: Settings, user: User, csrf_token: str, expires_at: datetime
) -> LoginResult:
    return LoginResult(
        user=UserRead.model_validate(user),
        csrf_token=csrf_token,
        expires_at=expires_at,
        idle_timeout_seconds=settings.session_idle_minutes * 60,
    )


@public_router.post(
    "/login",
    response_model=LoginResult,
    responses=responses(InvalidCredentials, AccountLocked, AddressThrottled),
)
async def login(
    body: LoginRequest, request: Request, response: Response, db: DbSession, settings: SettingsDep
) -> LoginResult:
    """Sign in; sets the HttpOnly session cookie and returns the CSRF token to send back.

    Also sets a long-lived device cookie: a browser that signed into an account is not
    shut out when someone elsewhere locks that account with wrong passwords.
    """
    signed_in = await sign_in.login(
        db,
        settings,
        body.email,
        body.password,
        request_actor(request),
        request.cookies.get(DEVICE_COOKIE),
    )
    secure = request.url.scheme == "https"
    response.set_cookie(
        SESSION_COOKIE, signed_in.token, httponly=True, samesite="lax", secure=secure, path="/"
    )
    response.set_cookie(
        DEVICE_COOKIE,
        signed_in.device_token,
        max_age=settings.login_trusted_days * 24 * 3600,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/api/v1/auth/login",
    )
    login_session = signed_in.login_session
    return _login_result(
        settings, signed_in.user, login_session.csrf_token, login_session.expires_at
    )


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(staff: CurrentStaff, response: Response, db: DbSession) -> None:
    service.logout(db, staff.actor, staff.login.session_id)
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/auth/me", response_model=LoginResult)
def me(staff: CurrentStaff, settings: SettingsDep, db: DbSession) -> LoginResult:
    """The signed-in user, with the CSRF token (so a reloaded page can carry on)."""
    user = service.get_user(db, staff.user_id)
    return _login_result(settings, user, staff.login.csrf_token, staff.login.expires_at)


@router.get("/users", response_model=Page[UserRead])
def list_users(_: AdminOnly, db: DbSession, page: Pagination) -> Page[UserRead]:
    return service.list_users(db, page)


@router.post(
    "/users",
    response_model=UserRead,
    status_code=status.HTTP_201_CREATED,
    responses=responses(EmailTaken, WeakPassword),
)
def create_user(body: UserCreate, admin: AdminOnly, db: DbSession) -> User:
    return service.create_user(db, admin.actor, body)


@router.patch(
    "/users/{user_id}",
    response_model=UserRead,
    responses=responses(NotFound, WeakPassword, LastAdmin),
)
def update_user(user_id: uuid.UUID, body: UserUpdate, admin: AdminOnly, db: DbSession) -> User:
    return service.update_user(db, admin.actor, user_id, body)
