from homeward.errors import Conflict, NotFound


class PatientNotFound(NotFound):
    slug, title = "patient-not-found", "No such patient"


class ContactNotFound(NotFound):
    slug, title = "contact-not-found", "No such contact for this patient"


class ConsentNotFound(NotFound):
    slug, title = "consent-not-found", "No such consent for this patient"


class ConsentAlreadyRevoked(Conflict):
    slug, title = "consent-already-revoked", "This consent is already revoked"


class MrnUnavailable(Conflict):
    slug, title = "mrn-unavailable", "Could not allocate a medical record number; try again"
