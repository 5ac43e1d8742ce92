"""A second yardstick: a plain ORM read by primary key, with no sign-in, roles or audit.

Served like the real app, against the same database. What separates it from
`GET /enrollments/{id}` is the work the goals count in: the sign-in check, the
role check, the audit event written and committed, and the summaries of the
patient, program and phase the real answer carries.
"""

import os
import uuid

from fastapi import FastAPI, HTTPException
from sqlalchemy import inspect
from sqlalchemy.orm import Session

import homeward.models  # noqa: F401  (every mapped class, so relationships resolve)
from homeward.db import make_engine
from homeward.enrollments.models import Enrollment
from homeward.settings import Settings

engine = make_engine(Settings(database_url=os.environ["DATABASE_URL"], log_level="WARNING"))
columns = [attribute.key for attribute in inspect(Enrollment).column_attrs]
app = FastAPI()


@app.get("/enrollments/{enrollment_id}")
def read_enrollment(enrollment_id: uuid.UUID) -> dict[str, object]:
    with Session(engine) as db:
        enrollment = db.get(Enrollment, enrollment_id)
        if enrollment is None:
            raise HTTPException(404)
        return {key: getattr(enrollment, key) for key in columns}
