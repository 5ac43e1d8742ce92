import uuid
from datetime import datetime
from typing import Annotated

from pydantic import EmailStr

from homeward.fields import Text
from homeward.schemas import InputModel, ReadModel


class PartnerCreate(InputModel):
    name: Annotated[str, Text(min_length=1, max_length=200)]
    contact_email: EmailStr


class PartnerRead(ReadModel):
    id: uuid.UUID
    name: str
    contact_email: str
    active: bool
    created_at: datetime


class ApiKeyCreate(InputModel):
    name: Annotated[str, Text(min_length=1, max_length=100)] = "default"


class ApiKeyRead(ReadModel):
    id: uuid.UUID
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyRead):
    key: str
