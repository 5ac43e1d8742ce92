import uuid
from datetime import datetime
from typing import Annotated

from pydantic import EmailStr, Field

from homeward.auth.models import Role
from homeward.fields import Text
from homeward.schemas import InputModel, ReadModel, UpdateModel

# Exactly as typed: the input models strip whitespace, a password must not be changed.
Password = Annotated[str, Text(min_length=1, max_length=256, strip_whitespace=False)]
Name = Annotated[str, Text(min_length=1, max_length=200)]


class LoginRequest(InputModel):
    email: Annotated[str, Text(min_length=1, max_length=254)]
    password: Password


class UserRead(ReadModel):
    id: uuid.UUID
    email: str
    full_name: str
    role: Role
    active: bool
    created_at: datetime


class LoginResult(ReadModel):
    user: UserRead
    csrf_token: str
    expires_at: datetime = Field(description="When the session ends regardless of activity")
    idle_timeout_seconds: int


class UserCreate(InputModel):
    email: EmailStr
    full_name: Name
    role: Role
    password: Password


class UserUpdate(UpdateModel):
    full_name: Name | None = None
    role: Role | None = None
    active: bool | None = None
    password: Password | None = None
