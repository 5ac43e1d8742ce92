"""Print the OpenAPI document as YAML (`make openapi` writes it to openapi.yaml)."""

import sys
from typing import Any

import yaml

from homeward.main import create_app
from homeward.settings import Settings


def openapi_document() -> dict[str, Any]:
    # A throwaway in-memory database: generating the contract needs no data.
    app = create_app(Settings(database_url="sqlite://", log_level="WARNING"))
    return app.openapi()


def render() -> str:
    return yaml.safe_dump(openapi_document(), sort_keys=False, allow_unicode=True, width=100)


if __name__ == "__main__":
    sys.stdout.write(render())
