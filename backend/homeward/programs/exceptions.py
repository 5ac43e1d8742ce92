from homeward.errors import Conflict, NotFound


class ProgramNotFound(NotFound):
    slug, title = "program-not-found", "No such program"


class SlotNotFound(NotFound):
    slug, title = "slot-not-found", "No such slot in this program"


class PhaseNotFound(NotFound):
    slug, title = "phase-not-found", "No such phase in this program"


class FacilitatorDoubleBooked(Conflict):
    slug, title = "facilitator-double-booked", "The facilitator already has a slot at that time"


class PhaseInUse(Conflict):
    slug, title = "phase-in-use", "Clients are in this phase"
