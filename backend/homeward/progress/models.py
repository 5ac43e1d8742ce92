"""What the progress view keeps between reads: its last answer, and when it went stale.

Progress is read far more often than what it is computed from changes, and
computing it reads an enrollment's whole history. So the answer is kept
(`ProgressSnapshot`) with the generation of its inputs it was computed from.

`ProgressMark.generation` counts the changes to an enrollment's inputs: its row,
its rosters and those sessions, attendance, homework, events, phase changes, and
its program and phases. Database triggers (migration 0011) count them, so no
write path, the bulk loaders included, can forget to; a snapshot whose generation
is not the current one is not served. Time changes the answer too (a session
ends, homework falls due, a day begins): a snapshot is served only until the
first such moment after it was computed (`valid_until`).
"""

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from homeward.db import Base


class ProgressMark(Base):
    __tablename__ = "progress_marks"

    # No foreign key: the triggers count changes while an enrollment's rows are being
    # deleted with it, and a count for an enrollment that is gone harms nothing.
    enrollment_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    generation: Mapped[int] = mapped_column(BigInteger)


class ProgressSnapshot(Base):
    __tablename__ = "progress_snapshots"

    enrollment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("enrollments.id", ondelete="CASCADE"), primary_key=True
    )
    weeks: Mapped[int] = mapped_column(primary_key=True)
    # The enrollment's `ProgressMark.generation` when it was computed (0 without one).
    generation: Mapped[int] = mapped_column(BigInteger)
    computed_at: Mapped[datetime]
    valid_until: Mapped[datetime]
    # The response body, JSON.
    body: Mapped[bytes] = mapped_column(LargeBinary)
