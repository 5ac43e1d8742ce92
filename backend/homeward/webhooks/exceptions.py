from homeward.errors import Conflict, DomainError, NotFound


class UnsafeWebhookUrl(DomainError):
    status, slug, title = 422, "unsafe-webhook-url", "The webhook URL is not allowed"


class WebhookEndpointNotFound(NotFound):
    pass


class WebhookDeliveryNotFound(NotFound):
    pass


class EndpointDisabled(Conflict):
    status, slug, title = 409, "webhook-endpoint-disabled", "The webhook endpoint is disabled"
