from homeward.enrollments.models import EnrollmentStatus
from homeward.errors import Conflict, NotFound


class EnrollmentNotFound(NotFound):
    slug, title = "enrollment-not-found", "No such enrollment"


class TreatmentPlanNotFound(NotFound):
    slug, title = "treatment-plan-not-found", "This enrollment has no treatment plan yet"


class IllegalTransition(Conflict):
    slug, title = "illegal-transition", "Not possible in the enrollment's current status"

    def __init__(self, action: str, status: EnrollmentStatus) -> None:
        super().__init__(f"Cannot {action} an enrollment that is {status.value}")
        self.current_status = status


class AtCapacity(Conflict):
    slug, title = "program-at-capacity", "The program is at capacity"


class AlreadyEnrolled(Conflict):
    slug, title = "already-enrolled", "The patient already has an unfinished enrollment here"


class ProgramHasNoPhases(Conflict):
    slug, title = "program-has-no-phases", "The program has no phases to admit into"


class SamePhase(Conflict):
    slug, title = "same-phase", "The enrollment is already in that phase"
