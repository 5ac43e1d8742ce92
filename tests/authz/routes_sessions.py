from tests.authz.expectations import staff

CLINICAL = staff("admin", "clinician")
# Medical staff book and record medical sessions (the service refuses other types).
BOOKING = staff("admin", "clinician", "medical")
READERS = staff("admin", "clinician", "medical", "intake")

ROUTES = {
    ("POST", "/api/v1/programs/{program_id}/schedule/generate"): CLINICAL,
    ("GET", "/api/v1/sessions"): READERS,
    ("POST", "/api/v1/sessions"): BOOKING,
    ("GET", "/api/v1/sessions/{session_id}"): READERS,
    ("PATCH", "/api/v1/sessions/{session_id}"): CLINICAL,
    ("POST", "/api/v1/sessions/{session_id}/cancel"): CLINICAL,
    ("PUT", "/api/v1/sessions/{session_id}/group-note"): CLINICAL,
    ("GET", "/api/v1/sessions/{session_id}/attendance"): READERS,
    ("PUT", "/api/v1/sessions/{session_id}/attendance"): BOOKING,
}
