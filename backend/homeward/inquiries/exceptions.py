from homeward.errors import Conflict, NotFound


class InquiryNotFound(NotFound):
    pass


class AlreadyConverted(Conflict):
    status, slug, title = 409, "inquiry-already-converted", "The inquiry was already converted"
