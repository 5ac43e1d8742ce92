from tests.authz.expectations import partner_only, staff

ROUTES = {
    ("GET", "/api/v1/partner/webhook-endpoints"): partner_only(),
    ("POST", "/api/v1/partner/webhook-endpoints"): partner_only(),
    ("DELETE", "/api/v1/partner/webhook-endpoints/{endpoint_id}"): partner_only(),
    ("GET", "/api/v1/partner/webhook-deliveries"): partner_only(),
    ("POST", "/api/v1/partner/webhook-deliveries/{delivery_id}/redeliver"): partner_only(),
    ("GET", "/api/v1/webhook-endpoints"): staff("admin"),
}
