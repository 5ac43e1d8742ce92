"""The audit trail: changes and denials are recorded, and tampering is detected."""

import uuid
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import delete, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from homeward.audit.chain import ChainSealer, new_event_id, seal_chain, verify_chain
from homeward.audit.models import AuditEvent
from homeward.audit.service import Actor, record
from tests.factories import Factories, StaffClient

PROGRAM = {
    "name": "Audit IOP",
    "level_of_care": "2.1",
    "capacity": 10,
    "timezone": "America/Chicago",
}


def _events(admin: StaffClient, **params: str) -> list[dict[str, object]]:
    response = admin.get("/api/v1/audit-events", params={"limit": 200, **params})
    assert response.status_code == 200
    return response.json()["items"]  # type: ignore[no-any-return]


def test_changes_leave_audit_events(admin: StaffClient) -> None:
    program = admin.post("/api/v1/programs", json=PROGRAM).json()
    etag = admin.get(f"/api/v1/programs/{program['id']}").headers["ETag"]
    admin.patch(
        f"/api/v1/programs/{program['id']}", json={"capacity": 11}, headers={"If-Match": etag}
    )
    user = admin.post(
        "/api/v1/users",
        json={
            "email": "aud@clinic.example",
            "full_name": "Aud",
            "role": "viewer",
            "password": "an-audited-passphrase",
        },
    ).json()
    admin.patch(f"/api/v1/users/{user['id']}", json={"role": "intake"})
    partner = admin.post(
        "/api/v1/partners", json={"name": "P", "contact_email": "p@p.example"}
    ).json()
    key = admin.post(f"/api/v1/partners/{partner['id']}/api-keys", json={}).json()
    admin.delete(f"/api/v1/partners/{partner['id']}/api-keys/{key['id']}")

    actions = {(e["action"], e["resource_id"]) for e in _events(admin, actor_id=str(admin.user.id))}
    for expected in [
        ("program.create", program["id"]),
        ("program.update", program["id"]),
        ("user.create", user["id"]),
        ("user.update", user["id"]),
        ("partner.create", partner["id"]),
        ("partner_api_key.create", key["id"]),
        ("partner_api_key.revoke", key["id"]),
    ]:
        assert expected in actions, expected
    update_event = next(
        e for e in _events(admin, resource_type="program") if e["action"] == "program.update"
    )
    assert update_event["detail"] == {"changed": ["capacity"]}
    assert update_event["request_id"] and update_event["ip"]


def test_denied_attempts_are_recorded(
    client: TestClient, viewer: StaffClient, admin: StaffClient
) -> None:
    assert client.get("/api/v1/users").status_code == 401
    assert viewer.post("/api/v1/programs", json=PROGRAM).status_code == 403
    denied = [e for e in _events(admin, resource_type="endpoint") if e["outcome"] == "denied"]
    assert any(e["actor_type"] == "anonymous" and e["detail"] == {"status": 401} for e in denied)
    assert any(
        e["actor_id"] == str(viewer.user.id) and e["detail"] == {"status": 403} for e in denied
    )


def test_filters_and_pagination(admin: StaffClient, db: Session) -> None:
    patient_id = uuid.uuid4()
    for n in range(5):
        record(db, Actor.system(), "patient.read", "patient", str(n), patient_id=patient_id)
    db.commit()  # events join the chain, and become visible to others, as they commit
    first = admin.get(
        "/api/v1/audit-events", params={"patient_id": str(patient_id), "limit": 3}
    ).json()
    second = admin.get(
        "/api/v1/audit-events",
        params={"patient_id": str(patient_id), "limit": 3, "cursor": first["next_cursor"]},
    ).json()
    ids = [e["resource_id"] for e in first["items"] + second["items"]]
    assert ids == ["4", "3", "2", "1", "0"] and second["next_cursor"] is None


def test_events_join_the_chain_in_the_order_recorded(db: Session) -> None:
    ids = [record(db, Actor.system(), "test.event", "test", str(n)) for n in range(3)]
    db.commit()
    events = [db.get_one(AuditEvent, event_id) for event_id in ids]
    assert [e.seq for e in events] == [None, None, None]  # a commit only inserts them
    assert seal_chain(db) >= 3
    first = events[0].seq
    assert first is not None and [e.seq for e in events] == [first, first + 1, first + 2]
    assert events[1].prev_hash == events[0].hash and events[2].prev_hash == events[1].hash
    assert seal_chain(db) == 0  # nothing left to link


def test_event_ids_follow_the_order_they_were_made() -> None:
    ids = [new_event_id() for _ in range(10_000)]  # several per millisecond
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert {i.version for i in ids} == {7}


def test_the_sealer_links_what_requests_committed(
    db: Session, session_factory: sessionmaker[Session]
) -> None:
    event_id = record(db, Actor.system(), "test.event", "test")
    db.commit()
    sealer = ChainSealer(session_factory, interval=3600)
    assert sealer.seal_once() >= 1
    assert sealer.seal_once() == 0
    event = db.get_one(AuditEvent, event_id)
    db.refresh(event)
    assert event.seq is not None and list(verify_chain(db)) == []


def test_rolled_back_events_leave_no_gap(db: Session) -> None:
    nested = db.begin_nested()
    record(db, Actor.system(), "test.discarded", "test")
    db.flush()
    nested.rollback()
    kept = record(db, Actor.system(), "test.kept", "test")
    db.commit()
    assert list(verify_chain(db)) == []
    assert db.get_one(AuditEvent, kept).seq is not None
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "test.discarded")) is None


def test_verify_detects_edits_and_deletions(db: Session, factories: Factories) -> None:
    for n in range(4):
        record(db, Actor.system(), "test.event", "test", str(n))
    assert list(verify_chain(db)) == []
    seqs = list(db.scalars(select(AuditEvent.seq).order_by(AuditEvent.seq)))

    db.execute(update(AuditEvent).where(AuditEvent.seq == seqs[-3]).values(action="test.forged"))
    edited = list(verify_chain(db))
    assert [b.seq for b in edited] == [seqs[-3]] and "edited" in edited[0].reason

    db.execute(update(AuditEvent).where(AuditEvent.seq == seqs[-3]).values(action="test.event"))
    db.execute(delete(AuditEvent).where(AuditEvent.seq == seqs[-2]))
    removed = list(verify_chain(db))
    assert [b.seq for b in removed] == [seqs[-1]] and "missing" in removed[0].reason


def test_audit_verify_command(tmp_path: object, monkeypatch: object) -> None:
    from pathlib import Path

    from typer.testing import CliRunner

    from homeward import migrate
    from homeward.cli import app
    from homeward.db import make_engine, make_session_factory
    from homeward.settings import Settings, get_settings

    url = f"sqlite:///{Path(str(tmp_path)) / 'audit.db'}"
    monkeypatch.setenv("DATABASE_URL", url)  # type: ignore[attr-defined]
    get_settings.cache_clear()
    try:
        settings = Settings(database_url=url)
        migrate.upgrade(settings)
        engine = make_engine(settings)
        with make_session_factory(engine)() as db:
            for n in range(3):
                record(db, Actor.system(), "test.event", "test", str(n))
            db.commit()
        runner = CliRunner()
        intact = runner.invoke(app, ["audit", "verify"])
        assert intact.exit_code == 0 and "intact" in intact.output
        with engine.begin() as connection:
            connection.execute(
                update(AuditEvent).where(AuditEvent.seq == 2).values(outcome="denied")
            )
        tampered = runner.invoke(app, ["audit", "verify"])
        assert tampered.exit_code == 1 and "row 2" in tampered.output
        engine.dispose()
    finally:
        get_settings.cache_clear()


def test_sealing_links_events_others_inserted_unlinked(db: Session) -> None:
    stray = AuditEvent(
        id=new_event_id(),
        occurred_at=datetime(2026, 1, 1, tzinfo=UTC),
        actor_type="system",
        action="test.unlinked",
        resource_type="test",
        outcome="success",
    )
    db.add(stray)
    db.flush()
    mine = db.get_one(AuditEvent, record(db, Actor.system(), "test.mine", "test"))
    seal_chain(db)
    assert stray.seq is not None and mine.seq == stray.seq + 1
    assert mine.prev_hash == stray.hash
    assert list(verify_chain(db)) == []


def test_the_trail_indexes_linked_events_only(db: Session) -> None:
    """A request's insert makes no entry in the search indexes; linking makes them once."""
    searched = {
        f"ix_audit_events_{column}"
        for column in (
            "patient_ids",
            "resource_ids",
            "occurred_at",
            "actor_id",
            "resource_type",
            "patient_id",
        )
    }
    if db.get_bind().dialect.name == "postgresql":
        held = "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'audit_events'"
    else:
        held = (
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_events'"
        )
    definitions = {name: sql for name, sql in db.execute(text(held)) if name in searched}
    assert set(definitions) == searched
    for name, sql in definitions.items():
        assert sql.replace("(", "").replace(")", "").endswith("WHERE seq IS NOT NULL"), name
