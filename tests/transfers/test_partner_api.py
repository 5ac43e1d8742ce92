"""The partner API's transfers: create, read, list, cancel, messages, documents."""

from datetime import timedelta

import pytest
from fastapi import FastAPI

from homeward import clock
from tests.factories import Factories, StaffClient
from tests.transfers.helpers import PDF, PartnerClient, new_partner, transfer_body

T = "/api/v1/partner/transfers"


@pytest.fixture
def partner(app: FastAPI, factories: Factories) -> PartnerClient:
    return new_partner(app, factories)


def test_a_transfer_is_received(partner: PartnerClient) -> None:
    response = partner.submit()
    assert response.status_code == 201, response.text
    transfer = response.json()
    assert transfer["status"] == "received"
    assert transfer["discharge"]["diagnoses"] == ["F10.20", "F41.1"]
    assert response.headers["location"].endswith(transfer["id"])
    read = partner.get(f"{T}/{transfer['id']}")
    assert read.status_code == 200
    assert read.json()["id"] == transfer["id"]
    listed = partner.get(T, params={"status": "received"}).json()["items"]
    assert [item["id"] for item in listed] == [transfer["id"]]
    assert partner.get(T, params={"status": "declined"}).json()["items"] == []


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("discharge", "diagnoses"), ["F10"], None),
        (("discharge", "diagnoses"), ["alcohol use"], "pattern"),
        (("discharge", "diagnoses"), ["F10.2345X"], "pattern"),
        (("discharge", "withdrawal_risk"), "severe", None),
        (("consent", "scopes"), ["discharge_summary"], None),
    ],
)
def test_the_body_is_checked(
    partner: PartnerClient, path: tuple[str, str], value: object, message: str | None
) -> None:
    body = transfer_body()
    body[path[0]][path[1]] = value
    response = partner.submit(body)
    if value == ["F10"]:  # a three-character category is a valid code
        assert response.status_code == 201, response.text
        return
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    if message:
        assert message in response.text


def test_a_discharge_in_the_future_is_refused(partner: PartnerClient) -> None:
    body = transfer_body()
    tomorrow = clock.now().date() + timedelta(days=1)
    body["discharge"]["discharged_on"] = tomorrow.isoformat()
    response = partner.submit(body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "discharge", "discharged_on"]


def test_an_unknown_program_is_refused(partner: PartnerClient) -> None:
    response = partner.submit(
        transfer_body(
            requested_program_id=str(clock.now().microsecond) * 0
            + "00000000-0000-0000-0000-000000000001"
        )
    )
    assert response.status_code == 422


def test_cancel_until_accepted(partner: PartnerClient, admin: StaffClient) -> None:
    first = partner.submit().json()
    cancelled = partner.act(f"{T}/{first['id']}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    again = partner.act(f"{T}/{first['id']}/cancel")
    assert again.status_code == 409
    second = partner.submit().json()
    declined = admin.post(
        f"/api/v1/transfers/{second['id']}/decline",
        json={"reason_code": "no_capacity", "reason": "Full until March"},
    )
    assert declined.status_code == 200, declined.text
    assert partner.act(f"{T}/{second['id']}/cancel").status_code == 409


def test_request_info_and_the_answer(partner: PartnerClient, admin: StaffClient) -> None:
    transfer = partner.submit().json()
    asked = admin.post(
        f"/api/v1/transfers/{transfer['id']}/request-info",
        json={"message": "Please send the medication list."},
    )
    assert asked.status_code == 200, asked.text
    assert asked.json()["status"] == "info_requested"
    assert asked.json()["first_response_at"] is not None
    answer = partner.act(f"{T}/{transfer['id']}/messages", json={"body": "Attached now."})
    assert answer.status_code == 201, answer.text
    assert partner.get(f"{T}/{transfer['id']}").json()["status"] == "under_review"
    thread = partner.get(f"{T}/{transfer['id']}/messages").json()
    assert [(m["author"], m["body"]) for m in thread] == [
        ("intake", "Please send the medication list."),
        ("partner", "Attached now."),
    ]


def test_documents_are_pdfs_by_content(partner: PartnerClient, admin: StaffClient) -> None:
    transfer = partner.submit().json()
    path = f"{T}/{transfer['id']}/documents"
    pdf_headers = {"Content-Type": "application/pdf"}
    uploaded = partner.act(
        path,
        params={"kind": "discharge_summary", "filename": "summary.pdf"},
        content=PDF,
        headers=pdf_headers,
    )
    assert uploaded.status_code == 201, uploaded.text
    document = uploaded.json()
    assert document["size_bytes"] == len(PDF)

    not_pdf = partner.act(
        path,
        params={"kind": "medication_list", "filename": "meds.pdf"},
        content=b"<html>not a pdf</html>",
        headers=pdf_headers,
    )
    assert not_pdf.status_code == 415
    assert not_pdf.headers["content-type"].startswith("application/problem+json")

    too_big = partner.act(
        path,
        params={"kind": "medication_list"},
        content=PDF + b"0" * (10 * 1024 * 1024),
        headers=pdf_headers,
    )
    assert too_big.status_code == 413

    download = admin.get(f"/api/v1/transfers/{transfer['id']}/documents/{document['id']}")
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"] == 'attachment; filename="summary.pdf"'
    assert download.headers["x-content-type-options"] == "nosniff"
    detail = admin.get(f"/api/v1/transfers/{transfer['id']}").json()
    assert [d["id"] for d in detail["documents"]] == [document["id"]]


def test_another_partners_transfer_is_404_everywhere(
    app: FastAPI, factories: Factories, partner: PartnerClient
) -> None:
    mine = partner.submit().json()
    other = new_partner(app, factories)
    base = f"{T}/{mine['id']}"
    assert other.get(base).status_code == 404
    assert other.get(f"{base}/messages").status_code == 404
    assert other.act(f"{base}/cancel").status_code == 404
    assert other.act(f"{base}/messages", json={"body": "hi"}).status_code == 404
    assert (
        other.act(
            f"{base}/documents",
            params={"kind": "discharge_summary"},
            content=PDF,
            headers={"Content-Type": "application/pdf"},
        ).status_code
        == 404
    )
    assert other.get(T).json()["items"] == []
    # Nothing of it changed.
    assert partner.get(base).json()["status"] == "received"


def test_a_revoked_key_is_401(app: FastAPI, factories: Factories, admin: StaffClient) -> None:
    partner = new_partner(app, factories)
    assert partner.submit().status_code == 201
    keys = admin.get(f"/api/v1/partners/{partner.partner.id}/api-keys").json()
    for key in keys:
        admin.delete(f"/api/v1/partners/{partner.partner.id}/api-keys/{key['id']}")
    assert partner.get(T).status_code == 401
    assert partner.submit().status_code == 401
