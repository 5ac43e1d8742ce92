"""The HTTP side of the domains: the route class that runs an endpoint in its request's
Session, the FastAPI half of pagination, and the JSON writer of the busiest lists."""
