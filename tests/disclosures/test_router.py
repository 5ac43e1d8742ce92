from sqlalchemy.orm import Session

from homeward.disclosures.models import PART2_NOTICE
from homeward.disclosures.service import record_disclosure
from tests.factories import Factories, StaffClient


def test_the_accounting_lists_each_disclosure_newest_first(
    admin: StaffClient, db: Session, factories: Factories
) -> None:
    partner, patient, other = factories.partner(), factories.patient(), factories.patient()
    for summary in ("transfer accepted", "enrollment admitted"):
        record_disclosure(
            db, partner_id=partner.id, patient_id=patient.id, channel="api", summary=summary
        )
    record_disclosure(db, partner_id=partner.id, patient_id=other.id, channel="api", summary="x")

    response = admin.get(f"/api/v1/patients/{patient.id}/disclosures")
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [item["summary"] for item in items] == ["enrollment admitted", "transfer accepted"]
    assert {item["notice"] for item in items} == {PART2_NOTICE}
    assert {item["recipient_name"] for item in items} == {partner.name}

    webhook_only = admin.get(f"/api/v1/patients/{patient.id}/disclosures?channel=webhook")
    assert webhook_only.json()["items"] == []


def test_an_unknown_patient_is_404(admin: StaffClient) -> None:
    response = admin.get("/api/v1/patients/00000000-0000-0000-0000-000000000000/disclosures")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
