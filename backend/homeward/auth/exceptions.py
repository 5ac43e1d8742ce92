from homeward.errors import Conflict, InvalidInput, TooManyRequests, Unauthenticated


class InvalidCredentials(Unauthenticated):
    slug, title = "invalid-credentials", "Email or password is not correct"
    # The failed attempt counts toward the lockout, so it must be kept.
    persist_changes = True


class AccountLocked(TooManyRequests):
    slug, title = "account-locked", "Too many failed sign-ins; try again later"


class AddressThrottled(TooManyRequests):
    slug = "sign-in-throttled"
    title = "Too many failed sign-ins from this network address; try again later"


class WeakPassword(InvalidInput):
    slug = "weak-password"


class EmailTaken(Conflict):
    slug, title = "email-taken", "A user with this email already exists"


class LastAdmin(Conflict):
    slug, title = "last-admin", "The clinic's last active admin can't be demoted or deactivated"
