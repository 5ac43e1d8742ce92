"""The built single-page app: history fallback, caching, compression, and the API kept apart."""

import gzip
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.requests import Request

from homeward.spa import IMMUTABLE, NO_CACHE, accepted_encodings, serve_single_page_app

SCRIPT = b"console.log('homeward');" * 100


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><div id=root></div>")
    (tmp_path / "favicon.svg").write_text("<svg/>")
    (tmp_path / "assets" / "index-abc123.js").write_bytes(SCRIPT)
    (tmp_path / "assets" / "index-abc123.js.gz").write_bytes(gzip.compress(SCRIPT))
    (tmp_path / "assets" / "index-abc123.js.br").write_bytes(b"brotli bytes")
    return tmp_path


def client_for(dist: Path) -> TestClient:
    app = FastAPI()

    @app.get("/api/v1/known")
    def known() -> dict[str, str]:
        return {"ok": "yes"}

    serve_single_page_app(app, dist)
    return TestClient(app)


def test_client_routes_get_the_index_uncached(dist: Path) -> None:
    client = client_for(dist)
    for path in ("/", "/sessions/123", "/enrollments/abc?tab=plan"):
        response = client.get(path)
        assert response.status_code == 200
        assert "id=root" in response.text
        assert response.headers["cache-control"] == NO_CACHE


def test_hashed_assets_are_immutable_and_sent_compressed(dist: Path) -> None:
    client = client_for(dist)
    plain = client.get("/assets/index-abc123.js", headers={"Accept-Encoding": "identity"})
    assert plain.content == SCRIPT
    assert plain.headers["cache-control"] == IMMUTABLE
    assert plain.headers["content-type"].startswith("text/javascript")
    assert "content-encoding" not in plain.headers
    zipped = client.get("/assets/index-abc123.js", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["vary"] == "Accept-Encoding"
    assert zipped.content == SCRIPT  # the test client decodes gzip
    brotli = client.get("/assets/index-abc123.js", headers={"Accept-Encoding": "gzip, br"})
    assert brotli.headers["content-encoding"] == "br"


def test_files_outside_assets_are_revalidated(dist: Path) -> None:
    response = client_for(dist).get("/favicon.svg")
    assert response.status_code == 200
    assert response.headers["cache-control"] == NO_CACHE


def test_unknown_api_paths_and_stale_assets_are_404_not_the_app(dist: Path) -> None:
    client = client_for(dist)
    assert client.get("/api/v1/known").json() == {"ok": "yes"}
    assert client.get("/api/v1/unknown").status_code == 404
    assert client.get("/assets/index-old999.js").status_code == 404
    assert client.get("/healthz-typo").status_code == 404


def test_paths_cannot_leave_the_build(dist: Path, tmp_path: Path) -> None:
    response = client_for(dist).get("/..%2F..%2Fetc%2Fpasswd")
    assert "root:" not in response.text


def test_without_a_build_the_root_opens_the_api_docs(tmp_path: Path) -> None:
    client = client_for(tmp_path / "missing")
    response = client.get("/", follow_redirects=False)
    assert response.status_code in (302, 307)
    assert response.headers["location"] == "/docs"


def test_accept_encoding_honours_q_zero() -> None:
    def request(header: str) -> Request:
        return Request({"type": "http", "headers": [(b"accept-encoding", header.encode())]})

    assert accepted_encodings(request("gzip, br;q=0")) == {"gzip"}
    assert accepted_encodings(request("")) == set()
