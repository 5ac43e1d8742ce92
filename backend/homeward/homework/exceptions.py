from homeward.errors import Conflict, NotFound


class HomeworkNotFound(NotFound):
    slug, title = "homework-not-found", "No such homework"


class EnrollmentNotFound(NotFound):
    slug, title = "enrollment-not-found", "No such enrollment"


class EnrollmentNotActive(Conflict):
    slug, title = "enrollment-not-active", "Homework goes to active enrollments only"


class HomeworkHandedIn(Conflict):
    slug, title = "homework-handed-in", "The homework has already been handed in"


class HomeworkNotSubmitted(Conflict):
    slug, title = "homework-not-submitted", "Only submitted homework can be reviewed"


class NoAttendees(Conflict):
    slug, title = "no-attendees", "Nobody active attended this session"
