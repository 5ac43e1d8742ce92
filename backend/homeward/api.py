"""The aggregate router: staff routes need a signed-in user unless they opt out."""

from fastapi import APIRouter, Depends

from homeward.audit.router import router as audit_router
from homeward.auth.router import public_router as auth_public_router
from homeward.auth.router import router as auth_router
from homeward.deps import get_partner, get_staff
from homeward.enrollments.router import router as enrollments_router
from homeward.errors import COMMON_RESPONSES, REQUEST_RESPONSES
from homeward.homework.router import router as homework_router
from homeward.partners.router import partner_api_router as partner_self_router
from homeward.partners.router import router as partners_router
from homeward.patients.router import router as patients_router
from homeward.programs.router import partner_api_router as partner_programs_router
from homeward.programs.router import router as programs_router
from homeward.progress.router import router as progress_router
from homeward.reports.router import router as reports_router
from homeward.sessions.router import router as sessions_router
from homeward.tapering.router import router as tapering_router

API_PREFIX = "/api/v1"

staff_router = APIRouter(dependencies=[Depends(get_staff)], responses=COMMON_RESPONSES)
for domain_router in (
    auth_router,
    audit_router,
    partners_router,
    programs_router,
    patients_router,
    enrollments_router,
    progress_router,
    sessions_router,
    homework_router,
    tapering_router,
    reports_router,
):
    staff_router.include_router(domain_router)

partner_router = APIRouter(
    prefix="/partner", dependencies=[Depends(get_partner)], responses=COMMON_RESPONSES
)
for domain_router in (partner_self_router, partner_programs_router):
    partner_router.include_router(domain_router)

# Public routes: no credential needed.
public_router = APIRouter(responses=REQUEST_RESPONSES)
public_router.include_router(auth_public_router)

api_router = APIRouter(prefix=API_PREFIX)
api_router.include_router(public_router)
api_router.include_router(staff_router)
api_router.include_router(partner_router)
