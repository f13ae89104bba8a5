"""FastJSONResponse makes the headers of its usual answers directly; they stay byte for byte
the headers Starlette's JSONResponse makes, for every status and media type."""

from __future__ import annotations

import pytest
from starlette.responses import JSONResponse

from graphql_api.http import GRAPHQL_RESPONSE, JSON, FastJSONResponse

BODY = {"data": {"__typename": "Query"}}


@pytest.mark.parametrize("status", [100, 200, 204, 304, 400, 405, 413, 429, 503])
@pytest.mark.parametrize("media_type", [JSON, GRAPHQL_RESPONSE, None, "text/plain"])
@pytest.mark.parametrize("headers", [None, {}, {"Retry-After": "5"}, {"Content-Type": "x/y"}])
def test_headers_are_starlettes(
    status: int, media_type: str | None, headers: dict[str, str] | None
) -> None:
    """Length then media type (none for 1xx, 204 and 304), a text type's charset, and the
    caller's own headers first, exactly as JSONResponse gives them."""
    fast = FastJSONResponse(BODY, status_code=status, headers=headers, media_type=media_type)
    starlette = JSONResponse(BODY, status_code=status, headers=headers, media_type=media_type)
    assert fast.raw_headers == starlette.raw_headers
    assert fast.body == starlette.body
