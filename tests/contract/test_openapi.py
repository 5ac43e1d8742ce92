"""The committed contract matches the app, and every operation documents itself."""

from pathlib import Path

from homeward.openapi import openapi_document, render

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_committed_openapi_matches_the_app() -> None:
    committed = (REPO_ROOT / "openapi.yaml").read_text()
    assert committed == render(), "openapi.yaml is out of date: run `make openapi` and commit it"


def test_every_operation_declares_its_responses() -> None:
    document = openapi_document()
    problems = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            name = f"{method.upper()} {path}"
            responses = operation["responses"]
            success = [code for code in responses if code.startswith("2")]
            if not success:
                problems.append(f"{name}: no success response")
            for code in success:
                if code != "204" and "content" not in responses[code]:
                    problems.append(f"{name}: {code} has no response model")
            if path.startswith("/api/v1/") and "422" not in responses:
                problems.append(f"{name}: validation problem not documented")
            for code, response in responses.items():
                is_error = code.startswith(("4", "5")) and code != "503"
                if is_error and "application/problem+json" not in response.get("content", {}):
                    problems.append(f"{name}: {code} is not documented as a problem")
            if not operation.get("operationId", "").count("-"):
                problems.append(f"{name}: operation id is not tag-name")
    assert not problems, "\n".join(problems)
