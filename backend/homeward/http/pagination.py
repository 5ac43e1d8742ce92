"""Pagination's FastAPI half: a list endpoint's `limit` and `cursor` query parameters."""

from typing import Annotated

from fastapi import Depends, Query, Request

from homeward.fields import Text
from homeward.pagination import DEFAULT_LIMIT, MAX_LIMIT, PageParams, cursor_key


async def page_params(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[Annotated[str, Text(max_length=512)] | None, Query()] = None,
) -> PageParams:
    key = cursor_key(request.app.state.settings.secret_key)
    return PageParams(limit=limit, cursor=cursor, cursor_key=key)


# What a list endpoint declares to take `limit` and `cursor`.
Pagination = Annotated[PageParams, Depends(page_params)]
