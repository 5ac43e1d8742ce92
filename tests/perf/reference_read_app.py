"""Yardsticks for the single-resource read: a plain ORM read by primary key, with no
sign-in or roles, once bare and once with its audit event written and committed.

Served like the real app, against the same database. What separates the first
from `GET /enrollments/{id}` is the work the goals count in: the sign-in and role
checks, the audit event, and the summaries of the patient, program and phase the
real answer carries. The second shows what the audit event alone costs.
"""

import os
import uuid

from fastapi import FastAPI, HTTPException
from sqlalchemy import inspect
from sqlalchemy.orm import Session

import homeward.models  # noqa: F401  (every mapped class, so relationships resolve)
from homeward.audit.service import Actor, record
from homeward.db import make_engine
from homeward.enrollments.models import Enrollment
from homeward.settings import Settings

engine = make_engine(Settings(database_url=os.environ["DATABASE_URL"], log_level="WARNING"))
columns = [attribute.key for attribute in inspect(Enrollment).column_attrs]
app = FastAPI()


def _read(db: Session, enrollment_id: uuid.UUID) -> Enrollment:
    enrollment = db.get(Enrollment, enrollment_id)
    if enrollment is None:
        raise HTTPException(404)
    return enrollment


@app.get("/enrollments/{enrollment_id}")
def read_enrollment(enrollment_id: uuid.UUID) -> dict[str, object]:
    with Session(engine) as db:
        enrollment = _read(db, enrollment_id)
        return {key: getattr(enrollment, key) for key in columns}


@app.get("/enrollments/{enrollment_id}/audited")
def read_enrollment_audited(enrollment_id: uuid.UUID) -> dict[str, object]:
    with Session(engine) as db:
        enrollment = _read(db, enrollment_id)
        answer = {key: getattr(enrollment, key) for key in columns}
        record(
            db,
            Actor("anonymous"),
            "enrollment.read",
            "enrollment",
            enrollment.id,
            patient_id=enrollment.patient_id,
        )
        db.commit()
        return answer
