from tests.authz.expectations import partner_only, staff

READ = staff("admin", "intake", "clinician", "medical")
DECIDE = staff("admin", "intake")
S = "/api/v1/transfers/{transfer_id}"
P = "/api/v1/partner/transfers"

ROUTES = {
    ("GET", "/api/v1/transfers"): READ,
    ("GET", S): READ,
    ("POST", f"{S}/accept"): DECIDE,
    ("POST", f"{S}/waitlist"): DECIDE,
    ("POST", f"{S}/decline"): DECIDE,
    ("POST", f"{S}/request-info"): DECIDE,
    ("GET", f"{S}/messages"): READ,
    ("POST", f"{S}/messages"): DECIDE,
    ("GET", f"{S}/documents/{{document_id}}"): READ,
    ("GET", P): partner_only(),
    ("POST", P): partner_only(),
    ("GET", f"{P}/{{transfer_id}}"): partner_only(),
    ("POST", f"{P}/{{transfer_id}}/cancel"): partner_only(),
    ("POST", f"{P}/{{transfer_id}}/documents"): partner_only(),
    ("GET", f"{P}/{{transfer_id}}/messages"): partner_only(),
    ("POST", f"{P}/{{transfer_id}}/messages"): partner_only(),
    ("GET", "/api/v1/reports/intake"): staff("admin", "intake", "clinician", "medical", "viewer"),
}
