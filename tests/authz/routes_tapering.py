from tests.authz.expectations import staff

CLINICAL = staff("admin", "clinician")
READERS = staff("admin", "clinician", "medical")

ROUTES = {
    ("GET", "/api/v1/programs/{program_id}/tapering-rules"): READERS,
    ("PUT", "/api/v1/programs/{program_id}/tapering-rules"): staff("admin"),
    ("GET", "/api/v1/programs/{program_id}/tapering-rules/versions"): READERS,
    ("POST", "/api/v1/programs/{program_id}/tapering-rules/simulate"): CLINICAL,
    ("POST", "/api/v1/tapering/evaluate"): CLINICAL,
    ("GET", "/api/v1/tapering/recommendations"): READERS,
    ("POST", "/api/v1/tapering/recommendations/{recommendation_id}/approve"): CLINICAL,
    ("POST", "/api/v1/tapering/recommendations/{recommendation_id}/dismiss"): CLINICAL,
}
