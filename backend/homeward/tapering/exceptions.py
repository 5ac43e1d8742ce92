from homeward.errors import Conflict, NotFound


class RuleSetVersionNotFound(NotFound):
    slug, title = "rule-set-version-not-found", "No such version of this program's rule set"


class RecommendationNotFound(NotFound):
    slug, title = "recommendation-not-found", "No such recommendation"


class RecommendationDecided(Conflict):
    slug, title = "recommendation-decided", "This recommendation is no longer pending"


class StaleRecommendation(Conflict):
    slug, title = (
        "stale-recommendation",
        "The enrollment changed since this recommendation was made",
    )
