from tests.authz.expectations import staff

READ = staff("admin", "clinician", "medical", "intake")
WRITE = staff("admin", "clinician", "intake")
MEDICAL_PROFILE = staff("admin", "clinician", "medical", "intake")
CONSENT_READ = staff("admin", "clinician", "intake")
CONSENT_WRITE = staff("admin", "intake")

P = "/api/v1/patients"

ROUTES = {
    ("GET", P): READ,
    ("POST", P): WRITE,
    ("GET", f"{P}/{{patient_id}}"): READ,
    ("PATCH", f"{P}/{{patient_id}}"): WRITE,
    ("PUT", f"{P}/{{patient_id}}/medical-profile"): MEDICAL_PROFILE,
    ("GET", f"{P}/{{patient_id}}/contacts"): READ,
    ("POST", f"{P}/{{patient_id}}/contacts"): WRITE,
    ("PATCH", f"{P}/{{patient_id}}/contacts/{{contact_id}}"): WRITE,
    ("DELETE", f"{P}/{{patient_id}}/contacts/{{contact_id}}"): WRITE,
    ("GET", f"{P}/{{patient_id}}/consents"): CONSENT_READ,
    ("POST", f"{P}/{{patient_id}}/consents"): CONSENT_WRITE,
    ("POST", f"{P}/{{patient_id}}/consents/{{consent_id}}/revoke"): CONSENT_WRITE,
}
