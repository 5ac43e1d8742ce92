from tests.authz.expectations import staff

READ = staff("admin", "clinician", "medical", "intake")
ADMIT = staff("admin", "clinician", "intake")
MANAGE = staff("admin", "clinician")
CLINICAL_READ = staff("admin", "clinician", "medical")
EVENT_WRITE = staff("admin", "clinician", "medical")

E = "/api/v1/enrollments"
ONE = f"{E}/{{enrollment_id}}"

ROUTES = {
    ("GET", E): READ,
    ("POST", E): ADMIT,
    ("GET", ONE): READ,
    ("PATCH", ONE): MANAGE,
    ("POST", f"{ONE}/admit"): ADMIT,
    ("POST", f"{ONE}/hold"): MANAGE,
    ("POST", f"{ONE}/resume"): MANAGE,
    ("POST", f"{ONE}/change-phase"): MANAGE,
    ("POST", f"{ONE}/extend"): MANAGE,
    ("POST", f"{ONE}/complete"): MANAGE,
    ("POST", f"{ONE}/discharge"): MANAGE,
    ("GET", f"{ONE}/phase-history"): READ,
    ("GET", f"{ONE}/treatment-plan"): CLINICAL_READ,
    ("PUT", f"{ONE}/treatment-plan"): MANAGE,
    ("GET", f"{ONE}/events"): CLINICAL_READ,
    ("POST", f"{ONE}/events"): EVENT_WRITE,
    ("GET", f"{ONE}/timeline"): CLINICAL_READ,
}
