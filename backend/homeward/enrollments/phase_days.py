"""Which phase an enrollment was in on a given day: the one rule the progress view and
the seed's history builders both read phase histories by."""

import uuid
from collections.abc import Sequence
from datetime import date

# A phase change: the day it takes effect, and the phase from then on.
Change = tuple[date, uuid.UUID]


def phase_on(
    changes: Sequence[Change], day: date, *, ended_on: date | None = None
) -> uuid.UUID | None:
    """The phase of the last change in effect on `day` (`changes` in effective order);
    None before the first, and from `ended_on` (the day the enrollment ended) on."""
    if ended_on is not None and day >= ended_on:
        return None
    current = None
    for effective_on, phase_id in changes:
        if effective_on > day:
            break
        current = phase_id
    return current
