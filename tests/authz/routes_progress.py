from tests.authz.expectations import staff

ROUTES = {
    ("GET", "/api/v1/enrollments/{enrollment_id}/progress"): staff("admin", "clinician", "medical"),
}
