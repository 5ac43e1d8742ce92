"""A backlog of audit events is linked a batch to a transaction, never all at once."""

import pytest
from sqlalchemy.orm import Session, sessionmaker

from homeward.audit import chain
from homeward.audit.chain import ChainSealer, verify_chain
from homeward.audit.service import Actor, record


def test_the_sealer_links_a_backlog_in_batches(
    db: Session, session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chain, "SEAL_BATCH", 10)
    ChainSealer(session_factory, interval=3600).seal_once()  # what earlier tests left
    for n in range(25):
        record(db, Actor.system(), "test.event", "test", str(n))
    db.commit()
    batches: list[int] = []
    seal = chain.seal_chain

    def counted(batch_db: Session, limit: int | None = None) -> int:
        linked = seal(batch_db, limit)
        batches.append(linked)
        return linked

    monkeypatch.setattr(chain, "seal_chain", counted)
    assert ChainSealer(session_factory, interval=3600).seal_once() == 25
    assert batches == [10, 10, 5]
    assert list(verify_chain(db)) == []
