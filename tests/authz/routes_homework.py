from tests.authz.expectations import staff

CLINICAL = staff("admin", "clinician")
READERS = staff("admin", "clinician", "medical")

ROUTES = {
    ("GET", "/api/v1/homework-templates"): READERS,
    ("POST", "/api/v1/homework-templates"): CLINICAL,
    ("GET", "/api/v1/homework"): READERS,
    ("GET", "/api/v1/homework/{homework_id}"): READERS,
    ("POST", "/api/v1/enrollments/{enrollment_id}/homework"): CLINICAL,
    ("POST", "/api/v1/sessions/{session_id}/homework"): CLINICAL,
    ("PATCH", "/api/v1/homework/{homework_id}"): CLINICAL,
    ("POST", "/api/v1/homework/{homework_id}/submit"): CLINICAL,
    ("POST", "/api/v1/homework/{homework_id}/review"): CLINICAL,
}
