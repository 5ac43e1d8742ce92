import pytest

from tests.factories import Factories, StaffClient

PROGRAM = {
    "name": "Day IOP",
    "level_of_care": "2.1",
    "population": "adult",
    "capacity": 24,
    "timezone": "America/Chicago",
}


def test_create_read_and_update_program_with_etag(admin: StaffClient) -> None:
    created = admin.post("/api/v1/programs", json=PROGRAM)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["default_length_days"] == 60
    assert body["level_hours_min"] == 9 and body["level_hours_max"] == 20

    read = admin.get(f"/api/v1/programs/{body['id']}")
    etag = read.headers["ETag"]
    updated = admin.patch(
        f"/api/v1/programs/{body['id']}", json={"capacity": 30}, headers={"If-Match": etag}
    )
    assert updated.status_code == 200
    assert updated.json()["capacity"] == 30
    assert updated.headers["ETag"] != etag

    stale = admin.patch(
        f"/api/v1/programs/{body['id']}", json={"capacity": 31}, headers={"If-Match": etag}
    )
    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    missing = admin.patch(f"/api/v1/programs/{body['id']}", json={"capacity": 31})
    assert missing.status_code == 428
    assert admin.get(f"/api/v1/programs/{body['id']}").json()["capacity"] == 30


def test_phase_hours_and_level_warning(admin: StaffClient, factories: Factories) -> None:
    program = factories.program()
    morning = admin.post(
        f"/api/v1/programs/{program.id}/slots",
        json={
            "weekday": 0,
            "start_time": "09:00",
            "end_time": "12:00",
            "session_type": "group_therapy",
            "title": "Group",
        },
    ).json()
    evening = admin.post(
        f"/api/v1/programs/{program.id}/slots",
        json={
            "weekday": 2,
            "start_time": "18:00",
            "end_time": "20:30",
            "session_type": "education",
            "title": "Class",
        },
    ).json()
    assert morning["start_time"] == "09:00"
    phase = admin.post(
        f"/api/v1/programs/{program.id}/phases",
        json={
            "name": "Taper",
            "slot_ids": [morning["id"], evening["id"]],
            "individual_sessions_per_week": 1,
        },
    )
    assert phase.status_code == 201, phase.text
    body = phase.json()
    assert body["planned_hours_per_week"] == 6.5
    assert "below the 9 h/week minimum" in body["level_of_care_warning"]
    assert body["order"] == 1

    fuller = admin.patch(
        f"/api/v1/programs/{program.id}/phases/{body['id']}",
        json={"individual_sessions_per_week": 3},
    ).json()
    assert fuller["planned_hours_per_week"] == 8.5
    # The program may lower its floor; the warning follows.
    etag = admin.get(f"/api/v1/programs/{program.id}").headers["ETag"]
    admin.patch(
        f"/api/v1/programs/{program.id}", json={"min_hours_per_week": 8}, headers={"If-Match": etag}
    )
    phases = admin.get(f"/api/v1/programs/{program.id}/phases").json()
    assert phases[0]["level_of_care_warning"] is None


def test_phase_order_is_renumbered(admin: StaffClient, factories: Factories) -> None:
    program = factories.program()
    ids = [
        admin.post(f"/api/v1/programs/{program.id}/phases", json={"name": name}).json()["id"]
        for name in ("One", "Two", "Three")
    ]
    moved = admin.patch(f"/api/v1/programs/{program.id}/phases/{ids[2]}", json={"order": 1})
    assert moved.json()["order"] == 1
    names = [p["name"] for p in admin.get(f"/api/v1/programs/{program.id}/phases").json()]
    assert names == ["Three", "One", "Two"]
    assert admin.delete(f"/api/v1/programs/{program.id}/phases/{ids[0]}").status_code == 204
    remaining = admin.get(f"/api/v1/programs/{program.id}/phases").json()
    assert [(p["name"], p["order"]) for p in remaining] == [("Three", 1), ("Two", 2)]


def test_phase_refuses_slots_of_another_program(admin: StaffClient, factories: Factories) -> None:
    program, other = factories.program(), factories.program()
    foreign = factories.slot(other)
    response = admin.post(
        f"/api/v1/programs/{program.id}/phases", json={"name": "X", "slot_ids": [str(foreign.id)]}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "slot_ids", 0]


def test_list_programs_paginates_and_hides_archived(
    admin: StaffClient, factories: Factories
) -> None:
    for _ in range(5):
        factories.program()
    factories.program(archived=True, name="zz archived")
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = admin.get("/api/v1/programs", params=params).json()
        seen += [p["name"] for p in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) >= 5
    assert "zz archived" not in seen
    assert seen == sorted(seen)
    everything = admin.get("/api/v1/programs", params={"include_archived": True, "limit": 200})
    assert "zz archived" in [p["name"] for p in everything.json()["items"]]


def test_readers_cannot_write(clinician: StaffClient, factories: Factories) -> None:
    program = factories.program()
    assert clinician.get(f"/api/v1/programs/{program.id}").status_code == 200
    assert clinician.post("/api/v1/programs", json=PROGRAM).status_code == 403


@pytest.mark.parametrize("end_time", [0, 43200, "12:00:00+00:00", "25:00"])
def test_slot_times_are_local_hh_mm_only(
    admin: StaffClient, factories: Factories, end_time: object
) -> None:
    # A number would otherwise be read as seconds in UTC, and then fail to compare.
    program = factories.program()
    response = admin.post(
        f"/api/v1/programs/{program.id}/slots",
        json={
            "weekday": 0,
            "start_time": "09:00",
            "end_time": end_time,
            "session_type": "group_therapy",
            "title": "Group",
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "end_time"]
