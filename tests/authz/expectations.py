"""The vocabulary of the authorization matrix.

Each domain lists its routes in `routes_<domain>.py` as `ROUTES = {(method, path): outcome}`;
`test_matrix.py` collects them all and walks `app.routes` against them.
"""

ROLES = ("admin", "clinician", "medical", "intake", "viewer")
PRINCIPALS = ("anonymous", *ROLES, "partner")
ALLOW = "allow"
Outcome = dict[str, int | str]


def staff(*allowed_roles: str) -> Outcome:
    """A staff route: anonymous 401, partner keys 403, roles outside `allowed_roles` 403."""
    unknown = set(allowed_roles) - set(ROLES)
    assert not unknown, f"unknown roles {unknown}"
    outcome: Outcome = {"anonymous": 401, "partner": 403}
    outcome.update({role: ALLOW if role in allowed_roles else 403 for role in ROLES})
    return outcome


def any_staff() -> Outcome:
    return staff(*ROLES)


def partner_only() -> Outcome:
    """A partner API route: a key is required; a staff cookie is not a credential here."""
    outcome: Outcome = {"anonymous": 401, "partner": ALLOW}
    outcome.update({role: 401 for role in ROLES})
    return outcome


def public() -> Outcome:
    return {principal: ALLOW for principal in PRINCIPALS}
