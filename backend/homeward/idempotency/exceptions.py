from homeward.errors import DomainError


class IdempotencyKeyMissing(DomainError):
    status, slug, title = 400, "idempotency-key-missing", "Idempotency-Key header required"


class IdempotencyKeyInvalid(DomainError):
    status, slug, title = 400, "idempotency-key-invalid", "Idempotency-Key header is not valid"


class IdempotencyKeyInFlight(DomainError):
    status, slug, title = (
        409,
        "idempotency-key-in-flight",
        "A request with this Idempotency-Key is still being processed",
    )


class IdempotencyKeyReused(DomainError):
    status, slug, title = (
        422,
        "idempotency-key-reused",
        "This Idempotency-Key was used for a different request",
    )
