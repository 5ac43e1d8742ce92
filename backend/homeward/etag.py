"""ETags and `If-Match` for resources that two people may edit at once."""

from homeward.errors import PreconditionFailed, PreconditionRequired


def etag_for(version: int) -> str:
    return f'"{version}"'


def check_if_match(if_match: str | None, current_version: int) -> None:
    """Refuse a write unless the caller saw the current version.

    Missing `If-Match` is refused too (428): silently overwriting a colleague's
    edit is the failure this protects against.
    """
    if if_match is None:
        raise PreconditionRequired("Send If-Match with the ETag you last read")
    candidates = {tag.strip().removeprefix("W/") for tag in if_match.split(",")}
    if "*" in candidates:
        return
    if etag_for(current_version) not in candidates:
        raise PreconditionFailed(
            "Someone else changed this since you loaded it; reload and apply your change again"
        )
