"""Imports every domain's models so `Base.metadata` is complete (Alembic, tests)."""

from homeward.audit.models import AuditEvent
from homeward.auth.models import LoginSession, LoginThrottle, User
from homeward.db import Base
from homeward.partners.models import Partner, PartnerApiKey
from homeward.programs.models import Phase, Program, Slot

__all__ = [
    "AuditEvent",
    "Base",
    "LoginSession",
    "LoginThrottle",
    "Partner",
    "PartnerApiKey",
    "Phase",
    "Program",
    "Slot",
    "User",
]
