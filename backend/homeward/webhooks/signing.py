"""Standard Webhooks signatures, made by the `standardwebhooks` package."""

import base64
import secrets
from datetime import datetime

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def message_id(event_id_hex: str) -> str:
    """The `webhook-id`: one per event, the same on every retry, so a partner can dedupe."""
    return f"msg_{event_id_hex}"


def signed_headers(secret: str, msg_id: str, timestamp: datetime, body: str) -> dict[str, str]:
    signature = Webhook(secret).sign(msg_id=msg_id, timestamp=timestamp, data=body)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": signature,
        "content-type": "application/json",
        "user-agent": "Homeward-Webhooks/1",
    }
