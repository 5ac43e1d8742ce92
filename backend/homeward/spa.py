"""Serving the built single-page app from `frontend/dist`.

Hashed files under `assets/` never change under their name, so browsers keep them for a
year; `index.html` names the current ones and is revalidated on every load. The build
writes `.br` and `.gz` beside each asset; the smallest one the browser accepts is sent.
Any other path that is not the API's gets `index.html`, so client routes survive a reload.
"""

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.types import Receive, Scope, Send

IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"
# Paths the app never claims: a typo under the API must answer the API's 404.
_NOT_CLIENT_ROUTES = ("api/", "healthz", "readyz", "docs", "openapi.json")
_ENCODINGS = (("br", ".br"), ("gzip", ".gz"))
_MEDIA_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".html": "text/html; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
}


def accepted_encodings(request: Request) -> set[str]:
    header = request.headers.get("accept-encoding", "")
    accepted = set()
    for part in header.split(","):
        name, _, params = part.strip().partition(";")
        if params.replace(" ", "") in ("q=0", "q=0.0", "q=0.00", "q=0.000"):
            continue
        if name:
            accepted.add(name.strip().lower())
    return accepted


def file_response(request: Request, path: Path, cache_control: str) -> Response:
    """`path`, or its pre-compressed twin when the browser accepts that encoding."""
    headers = {"Cache-Control": cache_control, "Vary": "Accept-Encoding"}
    media_type = _MEDIA_TYPES.get(path.suffix)
    accepted = accepted_encodings(request)
    for encoding, suffix in _ENCODINGS:
        twin = path.with_name(path.name + suffix)
        if encoding in accepted and twin.is_file():
            headers["Content-Encoding"] = encoding
            return FileResponse(twin, media_type=media_type, headers=headers)
    return FileResponse(path, media_type=media_type, headers=headers)


def serve_single_page_app(app: FastAPI, dist: Path) -> None:
    """Serve the built front end at `/`, or send `/` to the API docs when none is built."""
    index = dist / "index.html"
    if not index.is_file():

        @app.get("/", include_in_schema=False)
        def api_docs() -> RedirectResponse:
            # No front end is built: the API documentation is the way in.
            return RedirectResponse("/docs")

        return
    root = dist.resolve()
    assets = root / "assets"

    @app.get("/", include_in_schema=False)
    def app_index(request: Request) -> Response:
        return file_response(request, index, NO_CACHE)

    def resolve(request: Request) -> Response | None:
        path = request.url.path.lstrip("/")
        if path.startswith(_NOT_CLIENT_ROUTES):
            return None
        candidate = (root / path).resolve()
        if candidate.is_relative_to(root) and candidate.is_file() and candidate != index:
            hashed = candidate.is_relative_to(assets)
            return file_response(request, candidate, IMMUTABLE if hashed else NO_CACHE)
        if path.startswith("assets/"):
            # A stale page asking for an asset of an older build: a 404, not the app.
            return None
        return file_response(request, index, NO_CACHE)

    not_found = app.router.default

    # The router's default runs only when no route matched, so the fallback never
    # shadows a route, whenever that route was added.
    async def fallback(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            response = resolve(Request(scope))
            if response is not None:
                await response(scope, receive, send)
                return
        await not_found(scope, receive, send)

    app.router.default = fallback
