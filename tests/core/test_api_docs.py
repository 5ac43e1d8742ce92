"""The docs page loads nothing from another origin and needs no inline script."""

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from homeward.main import create_app
from homeward.settings import Settings

_SCRIPT = re.compile(r"<script([^>]*)>(.*?)</script>", re.DOTALL)
_REFERENCE = re.compile(r"""(?:src|href)="([^"]+)\"""")


def _directives(csp: str) -> dict[str, list[str]]:
    parts = (directive.split() for directive in csp.split(";") if directive.strip())
    return {name: sources for name, *sources in parts}


def test_the_docs_page_loads_only_our_own_files(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    scripts = _SCRIPT.findall(page.text)
    assert len(scripts) == 2
    assert all(body.strip() == "" for _attributes, body in scripts), "an inline script"
    references = _REFERENCE.findall(page.text)
    assert references
    assert all(ref.startswith("/") and not ref.startswith("//") for ref in references)
    kinds = {}
    for reference in references:
        asset = client.get(reference)
        assert asset.status_code == 200, reference
        kinds[reference.rsplit(".", 1)[-1]] = asset.headers["content-type"]
    assert "javascript" in kinds["js"] and kinds["css"].startswith("text/css")
    assert "/openapi.json" in client.get("/docs/start.js").text
    assert client.get("/openapi.json").status_code == 200


def test_one_policy_allows_no_inline_or_foreign_script(client: TestClient) -> None:
    for path in ("/docs", "/healthz", "/api/v1/auth/me", "/docs/start.js"):
        csp = client.get(path).headers["content-security-policy"]
        directives = _directives(csp)
        scripts = directives.get("script-src", directives["default-src"])
        assert scripts == ["'self'"], (path, csp)
        assert "http" not in csp and "'unsafe-eval'" not in csp
        # The web app's components style elements inline.
        assert directives["style-src"] == ["'self'", "'unsafe-inline'"]


def test_docs_are_off_in_production_unless_asked_for(
    settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    production = settings.model_copy(update={"environment": "production"})
    cases = [
        (production, None, 404),
        (production, True, 200),
        (settings, None, 200),
        (settings, False, 404),
    ]
    for base, asked, expected in cases:
        configured = base.model_copy(update={"api_docs": asked})
        client = TestClient(create_app(configured, session_factory=session_factory))
        assert client.get("/docs").status_code == expected, (base.environment, asked)
        assert client.get("/docs/assets/swagger-ui-bundle.js").status_code == expected
        assert client.get("/openapi.json").status_code == 200
