"""After a write, a request forgets what its data loaders read, and makes none only to forget
them (a mutation that read nothing has nothing to forget)."""

from __future__ import annotations

import asyncio
from typing import Any, cast
from uuid import uuid4

from domain.shared.metadata import Channel
from graphql_api.context import RequestContext


def context() -> RequestContext:
    nothing = cast(Any, None)  # no loader here reads anything
    return RequestContext(
        services=nothing,
        pool=nothing,
        positions=nothing,
        principal=nothing,
        channel=Channel.API,
        correlation_id=uuid4(),
    )


def test_a_request_that_read_nothing_makes_no_loaders_to_forget() -> None:
    request = context()
    request.forget_loaded()
    assert "loaders" not in vars(request)


def test_a_request_that_read_forgets_what_it_read() -> None:
    async def scenario() -> bool:
        request = context()
        customer = uuid4()
        request.loaders.nps_category.prime(customer, "promoter")
        request.forget_loaded()
        return request.loaders.nps_category.cache_map.get(customer) is not None

    assert asyncio.run(scenario()) is False
