"""Imports every domain's models so `Base.metadata` is complete (Alembic, tests)."""

from homeward.audit.models import AuditEvent
from homeward.auth.models import (
    KnownSignIn,
    LoginSession,
    SignInRevocations,
    SignInThrottle,
    User,
)
from homeward.db import Base
from homeward.disclosures.models import Disclosure
from homeward.enrollments.models import (
    ClinicalEvent,
    Enrollment,
    Extension,
    PhaseChange,
    StatusChange,
    TreatmentPlan,
)
from homeward.homework.models import Homework, HomeworkTemplate
from homeward.idempotency.models import IdempotencyRecord
from homeward.inquiries.models import Inquiry, PublicRequest
from homeward.partners.models import Partner, PartnerApiKey
from homeward.patients.models import Consent, Patient, PatientContact
from homeward.programs.models import Phase, Program, Slot
from homeward.progress.models import ProgressMark, ProgressSnapshot
from homeward.sessions.models import Attendance, RosterEntry, SessionTally, TreatmentSession
from homeward.tapering.models import EvaluationRun, Recommendation, TaperingRuleSet
from homeward.transfers.models import Transfer, TransferDocument, TransferMessage
from homeward.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent

__all__ = [
    "Attendance",
    "AuditEvent",
    "Base",
    "ClinicalEvent",
    "Consent",
    "Disclosure",
    "Enrollment",
    "EvaluationRun",
    "Extension",
    "Homework",
    "HomeworkTemplate",
    "IdempotencyRecord",
    "Inquiry",
    "KnownSignIn",
    "LoginSession",
    "Partner",
    "PartnerApiKey",
    "Patient",
    "PatientContact",
    "Phase",
    "PhaseChange",
    "Program",
    "ProgressMark",
    "ProgressSnapshot",
    "PublicRequest",
    "Recommendation",
    "RosterEntry",
    "SessionTally",
    "SignInRevocations",
    "SignInThrottle",
    "Slot",
    "StatusChange",
    "TaperingRuleSet",
    "Transfer",
    "TransferDocument",
    "TransferMessage",
    "TreatmentPlan",
    "TreatmentSession",
    "User",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
]
