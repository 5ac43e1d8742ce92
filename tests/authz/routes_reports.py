from tests.authz.expectations import staff

# Reports carry no patient-identifying data: viewers read them, intake does not.
REPORT_READERS = staff("admin", "clinician", "medical", "viewer")

ROUTES = {
    ("GET", "/api/v1/reports/census"): REPORT_READERS,
    ("GET", "/api/v1/reports/outcomes"): REPORT_READERS,
}
