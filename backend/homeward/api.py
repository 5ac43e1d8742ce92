"""Mounting the API: staff routes need a signed-in user, partner routes a key."""

import re

from fastapi import Depends, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from homeward.audit.router import router as audit_router
from homeward.auth.router import public_router as auth_public_router
from homeward.auth.router import router as auth_router
from homeward.deps import SIGN_IN_CHECKS, get_partner
from homeward.disclosures.router import router as disclosures_router
from homeward.enrollments.router import router as enrollments_router
from homeward.errors import COMMON_RESPONSES, REQUEST_RESPONSES
from homeward.homework.router import router as homework_router
from homeward.http.routing import DomainRouter
from homeward.inquiries.router import public_router as inquiries_public_router
from homeward.inquiries.router import router as inquiries_router
from homeward.partners.router import partner_api_router as partner_self_router
from homeward.partners.router import router as partners_router
from homeward.patients.router import router as patients_router
from homeward.programs.router import partner_api_router as partner_programs_router
from homeward.programs.router import router as programs_router
from homeward.progress.router import router as progress_router
from homeward.reports.router import router as reports_router
from homeward.sessions.router import router as sessions_router
from homeward.tapering.router import router as tapering_router
from homeward.transfers.models import MAX_DOCUMENT_BYTES
from homeward.transfers.partner_router import router as partner_transfers_router
from homeward.transfers.router import router as transfers_router
from homeward.webhooks.router import partner_api_router as partner_webhooks_router
from homeward.webhooks.router import router as webhooks_router

API_PREFIX = "/api/v1"

# The routes that take a file as their body, with its size limit (`BodyGuardMiddleware`).
RAW_UPLOADS = (
    (re.compile(rf"^{API_PREFIX}/partner/transfers/[^/]+/documents$"), MAX_DOCUMENT_BYTES),
)

# Matching walks the routers in this order: the ones used all day come first. Progress
# (one route) goes before the enrollments' seventeen, whose paths share its prefix: it
# costs their requests one failed match, and saves its own seventeen.
STAFF_ROUTERS = (
    progress_router,
    enrollments_router,
    sessions_router,
    homework_router,
    patients_router,
    tapering_router,
    programs_router,
    reports_router,
    auth_router,
    audit_router,
    partners_router,
    disclosures_router,
    transfers_router,
    webhooks_router,
    inquiries_router,
)
PARTNER_ROUTERS = (
    partner_transfers_router,
    partner_self_router,
    partner_programs_router,
    partner_webhooks_router,
)
PUBLIC_ROUTERS = (auth_public_router, inquiries_public_router)


def include_api(app: FastAPI) -> None:
    """Mount every domain router on the app itself, under /api/v1.

    Each is included directly (not through nested aggregate routers): request matching
    walks included routers level by level, so one level keeps it cheap.
    """
    for router in STAFF_ROUTERS:
        _check_signed_in(router)
        app.include_router(router, prefix=API_PREFIX, responses=COMMON_RESPONSES)
        router.mounted_at(API_PREFIX)
    for router in PUBLIC_ROUTERS:
        app.include_router(router, prefix=API_PREFIX, responses=REQUEST_RESPONSES)
        router.mounted_at(API_PREFIX)
    for router in PARTNER_ROUTERS:
        app.include_router(
            router,
            prefix=f"{API_PREFIX}/partner",
            dependencies=[Depends(get_partner)],
            responses=COMMON_RESPONSES,
        )
        router.mounted_at(f"{API_PREFIX}/partner")


def _check_signed_in(router: DomainRouter) -> None:
    """Every staff route must ask for the signed-in staff member, directly or through a role.

    Checked once at start-up rather than added as a router-wide dependency: FastAPI
    resolves a router-wide dependency's whole tree again on every request, even when a
    route's role check has already resolved it.
    """

    def asks_for_staff(dependant: Dependant) -> bool:
        return dependant.call in SIGN_IN_CHECKS or any(
            asks_for_staff(d) for d in dependant.dependencies
        )

    for route in router.routes:
        if isinstance(route, APIRoute) and not asks_for_staff(route.dependant):
            raise RuntimeError(f"{route.path} is a staff route that does not require sign-in")
