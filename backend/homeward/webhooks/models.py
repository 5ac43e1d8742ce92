"""Partner webhook endpoints, the outbox of events, and each endpoint's deliveries."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from homeward.db import Base, UUIDPrimaryKey, str_enum, utcnow
from homeward.webhooks.signing import message_id


class WebhookEndpoint(UUIDPrimaryKey, Base):
    """Where a partner wants its events. Deleting one keeps its delivery log."""

    __tablename__ = "webhook_endpoints"

    partner_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(200), default="")
    # The signing key must be readable to sign with; it is never shown after creation.
    secret: Mapped[str] = mapped_column(String(100))
    enabled: Mapped[bool] = mapped_column(default=True)
    disabled_at: Mapped[datetime | None]
    disabled_reason: Mapped[str | None] = mapped_column(String(300))
    # First failure since the last success: five days of failing disables the endpoint.
    failing_since: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]


class WebhookEvent(UUIDPrimaryKey, Base):
    """One event for one partner, written in the transaction of the change it announces."""

    __tablename__ = "webhook_events"

    partner_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    event_type: Mapped[str] = mapped_column(String(60))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Set for events that carry patient information: sent only while the patient's
    # consent for `consent_scope` to this partner is active at delivery time.
    patient_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("patients.id", ondelete="SET NULL")
    )
    consent_scope: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DeliveryStatus(StrEnum):
    pending = "pending"  # due at `next_attempt_at`, or being sent under a lease
    succeeded = "succeeded"
    failed = "failed"  # every retry failed, or the endpoint was disabled
    withheld = "withheld"  # consent no longer active when it was due


class WebhookDelivery(UUIDPrimaryKey, Base):
    """One event to one endpoint, with its attempts. A worker leases it while sending."""

    __tablename__ = "webhook_deliveries"

    event_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_events.id", ondelete="CASCADE"), index=True
    )
    endpoint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True
    )
    partner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    status: Mapped[DeliveryStatus] = mapped_column(
        str_enum(DeliveryStatus, 16), default=DeliveryStatus.pending
    )
    attempt_count: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    # The worker sending it, and until when: past that, another worker may take it over.
    lease_token: Mapped[uuid.UUID | None]
    leased_until: Mapped[datetime | None]
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    event: Mapped[WebhookEvent] = relationship()
    endpoint: Mapped[WebhookEndpoint] = relationship()
    attempts: Mapped[list["WebhookAttempt"]] = relationship(
        back_populates="delivery", order_by="WebhookAttempt.number"
    )

    @property
    def event_type(self) -> str:
        return self.event.event_type

    @property
    def webhook_id(self) -> str:
        return message_id(self.event_id.hex)

    __table_args__ = (
        Index("ix_webhook_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_partner_id_created_at", "partner_id", "created_at"),
    )


class WebhookAttempt(UUIDPrimaryKey, Base):
    """One try at sending a delivery: what came back, how long it took, what went wrong."""

    __tablename__ = "webhook_attempts"

    delivery_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
    status_code: Mapped[int | None]
    latency_ms: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)

    delivery: Mapped[WebhookDelivery] = relationship(back_populates="attempts")
