from tests.authz.expectations import any_staff, partner_only, public, staff

ADMIN = staff("admin")

ROUTES = {
    ("GET", "/"): public(),  # redirects to /docs while no front end is built
    ("GET", "/healthz"): public(),
    ("GET", "/readyz"): public(),
    ("POST", "/api/v1/auth/login"): public(),
    ("POST", "/api/v1/auth/logout"): any_staff(),
    ("GET", "/api/v1/auth/me"): any_staff(),
    ("GET", "/api/v1/users"): ADMIN,
    ("POST", "/api/v1/users"): ADMIN,
    ("PATCH", "/api/v1/users/{user_id}"): ADMIN,
    ("GET", "/api/v1/audit-events"): ADMIN,
    ("GET", "/api/v1/partners"): ADMIN,
    ("POST", "/api/v1/partners"): ADMIN,
    ("GET", "/api/v1/partners/{partner_id}"): ADMIN,
    ("GET", "/api/v1/partners/{partner_id}/api-keys"): ADMIN,
    ("POST", "/api/v1/partners/{partner_id}/api-keys"): ADMIN,
    ("DELETE", "/api/v1/partners/{partner_id}/api-keys/{key_id}"): ADMIN,
    ("GET", "/api/v1/partner/me"): partner_only(),
    ("GET", "/api/v1/partner/programs"): partner_only(),
    ("GET", "/api/v1/programs"): any_staff(),
    ("POST", "/api/v1/programs"): ADMIN,
    ("GET", "/api/v1/programs/{program_id}"): any_staff(),
    ("PATCH", "/api/v1/programs/{program_id}"): ADMIN,
    ("GET", "/api/v1/programs/{program_id}/slots"): any_staff(),
    ("POST", "/api/v1/programs/{program_id}/slots"): ADMIN,
    ("PATCH", "/api/v1/programs/{program_id}/slots/{slot_id}"): ADMIN,
    ("DELETE", "/api/v1/programs/{program_id}/slots/{slot_id}"): ADMIN,
    ("GET", "/api/v1/programs/{program_id}/phases"): any_staff(),
    ("POST", "/api/v1/programs/{program_id}/phases"): ADMIN,
    ("PATCH", "/api/v1/programs/{program_id}/phases/{phase_id}"): ADMIN,
    ("DELETE", "/api/v1/programs/{program_id}/phases/{phase_id}"): ADMIN,
}
