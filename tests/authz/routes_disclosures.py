from tests.authz.expectations import staff

ROUTES = {
    ("GET", "/api/v1/patients/{patient_id}/disclosures"): staff("admin", "clinician", "intake"),
}
