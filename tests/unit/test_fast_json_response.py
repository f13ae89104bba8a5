"""GraphQL responses are rendered by orjson with the bytes Starlette's JSONResponse gave, and
what orjson cannot encode still renders as Starlette rendered it (graphql_api.http)."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.responses import JSONResponse

from graphql_api.http import FastJSONResponse


@pytest.mark.parametrize(
    "body",
    [
        {"data": {"__typename": "Query"}},
        {"data": {"customer": {"name": "Zoë Ørsted ✓", "points": 12, "ratio": 0.25}}},
        {"data": None, "errors": [{"message": "no", "extensions": {"code": "FORBIDDEN"}}]},
        {"data": {"big": 2**70}},  # past orjson's 64 bits: Starlette's rendering
    ],
)
def test_a_body_renders_as_starlette_rendered_it(body: dict[str, Any]) -> None:
    assert FastJSONResponse(body).body == JSONResponse(body).body
