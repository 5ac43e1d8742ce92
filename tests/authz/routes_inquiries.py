from tests.authz.expectations import public, staff

INTAKE = staff("admin", "intake")

ROUTES = {
    ("GET", "/api/v1/public/screening-questions"): public(),
    ("POST", "/api/v1/public/inquiries"): public(),
    ("GET", "/api/v1/inquiries"): INTAKE,
    ("GET", "/api/v1/inquiries/{inquiry_id}"): INTAKE,
    ("PATCH", "/api/v1/inquiries/{inquiry_id}"): INTAKE,
    ("POST", "/api/v1/inquiries/{inquiry_id}/convert"): INTAKE,
}
