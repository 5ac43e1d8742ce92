import uuid
from datetime import datetime

from pydantic import Field

from homeward.schemas import ReadModel


class AuditEventRead(ReadModel):
    id: uuid.UUID
    seq: int | None
    occurred_at: datetime
    actor_type: str
    actor_id: uuid.UUID | None
    action: str
    resource_type: str
    resource_id: str | None
    patient_id: uuid.UUID | None
    patient_ids: list[uuid.UUID] | None = Field(
        description="The patients a list or search showed; null on other events. For a "
        "session list, the patients on its sessions' rosters when it was read"
    )
    resource_ids: list[uuid.UUID] | None = Field(
        description="A session list's sessions: the rows it showed, through which its "
        "`patient_ids` are found; null on other events"
    )
    outcome: str
    ip: str | None
    request_id: str | None
    detail: dict[str, object] | None
