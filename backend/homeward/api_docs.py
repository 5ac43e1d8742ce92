"""The API documentation page (`/docs`): Swagger UI served from our own origin.

Its files come from the `fastapi-offline` package, so the page loads no script from
another origin, and its start-up is a script file of ours rather than inline code:
the page runs under the same Content-Security-Policy as the rest of the app, which
allows scripts from this origin only.
"""

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

DOCS_PATH = "/docs"
ASSETS_PATH = "/docs/assets"

_PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Homeward API</title>
<link rel="icon" type="image/png" href="{ASSETS_PATH}/favicon.png">
<link rel="stylesheet" href="{ASSETS_PATH}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{ASSETS_PATH}/swagger-ui-bundle.js"></script>
<script src="{DOCS_PATH}/start.js"></script>
</body>
</html>
"""

# No validator badge: it would load an image from the validator's own site.
_START = """window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
});
"""


def swagger_ui_files() -> Path:
    return Path(str(files("fastapi_offline") / "static"))


def install_api_docs(app: FastAPI) -> None:
    """`/docs`, its start-up script and Swagger UI's files."""

    @app.get(DOCS_PATH, include_in_schema=False)
    async def api_docs() -> HTMLResponse:
        return HTMLResponse(_PAGE)

    @app.get(f"{DOCS_PATH}/start.js", include_in_schema=False)
    async def api_docs_start() -> Response:
        return Response(_START, media_type="text/javascript")

    app.mount(ASSETS_PATH, StaticFiles(directory=swagger_ui_files()), name="api-docs-assets")
