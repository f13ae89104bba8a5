"""Where the app keeps reads (graphql_api.app.kept_reads): only with news of the read models'
changes (they are applied in this process and read from its database), never with no room
for any; the cache lets go of a read model's pages as its count moves, until unwatched."""

from __future__ import annotations

import asyncio

from graphql_api.app import kept_reads
from projections.applied import AppliedPositions


async def _page() -> str:
    return "page"


def test_no_reads_are_kept_without_news_of_the_changes() -> None:
    """An API replica that runs no projection, or reads served by a streaming standby."""
    cache, _ = kept_reads(None, 256)
    assert cache is None


def test_no_reads_are_kept_with_no_room_for_any() -> None:
    cache, _ = kept_reads(AppliedPositions(), 0)
    assert cache is None


def test_a_count_that_moves_lets_go_of_its_pages_until_unwatched() -> None:
    applied = AppliedPositions()
    applied.lead(["a"])
    cache, unwatch = kept_reads(applied, 8)
    assert cache is not None
    asyncio.run(cache.read("a", "page", _page))
    applied.changing(["a"])
    assert cache.kept_keys("a") == []
    applied.changed(["a"])
    asyncio.run(cache.read("a", "page", _page))
    unwatch()
    applied.changing(["a"])
    assert cache.kept_keys("a") == ["page"]  # no longer told (the app stopped)
