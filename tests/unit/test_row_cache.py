"""Reads kept while a read model's rows stand still (projections.row_cache): a read is kept
only under a count that did not move while it ran, given again only under that count and
young enough, never kept where no count is known, and bounded per read model and shelf."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from projections.row_cache import MAX_AGE_SECONDS, RowCache


class Counts:
    """Row counts as AppliedPositions gives them (None: not led here, or changing)."""

    def __init__(self) -> None:
        self.counts: dict[str, int | None] = {}

    def rows_generation(self, name: str) -> int | None:
        return self.counts.get(name, 0)


class Reads:
    """A read that answers its number of calls so far, and counts them."""

    def __init__(self, during: Callable[[], None] = lambda: None) -> None:
        self.calls = 0
        self.during = during

    async def __call__(self) -> int:
        self.calls += 1
        self.during()
        return self.calls


def run(read: Coroutine[Any, Any, int]) -> int:
    return asyncio.run(read)


def test_a_read_again_while_the_rows_stand_still_is_not_read_again() -> None:
    cache, reads = RowCache(Counts(), 8), Reads()
    assert [run(cache.read("a", "page", reads)) for _ in range(3)] == [1, 1, 1]
    assert (reads.calls, cache.hits, cache.misses) == (1, 2, 1)


def test_after_a_change_the_rows_are_read_again() -> None:
    counts = Counts()
    cache, reads = RowCache(counts, 8), Reads()
    run(cache.read("a", "page", reads))
    counts.counts["a"] = 2
    assert run(cache.read("a", "page", reads)) == 2


def test_nothing_is_kept_while_no_count_is_known() -> None:
    """Not led here, or a change in flight: every read goes to the database."""
    counts = Counts()
    counts.counts["a"] = None
    cache, reads = RowCache(counts, 8), Reads()
    assert [run(cache.read("a", "page", reads)) for _ in range(2)] == [1, 2]
    counts.counts["a"] = 4
    assert run(cache.read("a", "page", reads)) == 3  # nothing was kept meanwhile


def test_a_read_during_which_the_rows_changed_is_not_kept() -> None:
    """It may have read the rows before or after the change: neither is safe to give again."""
    counts = Counts()

    def changes() -> None:
        counts.counts["a"] = (counts.counts.get("a") or 0) + 2

    cache, changing = RowCache(counts, 8), Reads(during=changes)
    run(cache.read("a", "page", changing))
    run(cache.read("a", "page", changing))
    assert changing.calls == 2


def test_a_kept_read_older_than_the_bound_is_read_again() -> None:
    """The bound on anything the count cannot see (a row changed by another process)."""
    now = [100.0]
    cache, reads = RowCache(Counts(), 8, clock=lambda: now[0]), Reads()
    run(cache.read("a", "page", reads))
    now[0] += MAX_AGE_SECONDS
    assert run(cache.read("a", "page", reads)) == 1
    now[0] += 0.01
    assert run(cache.read("a", "page", reads)) == 2


def test_keys_and_read_models_are_kept_apart() -> None:
    counts = Counts()
    cache, reads = RowCache(counts, 8), Reads()
    assert run(cache.read("a", "first", reads)) == 1
    assert run(cache.read("a", "second", reads)) == 2
    assert run(cache.read("b", "first", reads)) == 3
    counts.counts["b"] = 2  # only b's rows changed
    assert run(cache.read("a", "first", reads)) == 1
    assert run(cache.read("b", "first", reads)) == 4


def test_at_most_entries_reads_are_kept_per_read_model_the_least_recent_going_first() -> None:
    cache, reads = RowCache(Counts(), 2), Reads()
    run(cache.read("a", 1, reads))
    run(cache.read("a", 2, reads))
    run(cache.read("a", 1, reads))  # 1 used again: 2 is now the least recent
    run(cache.read("a", 3, reads))
    assert reads.calls == 3
    assert run(cache.read("a", 1, reads)) == 1
    assert run(cache.read("a", 2, reads)) == 4


def test_each_shelf_is_bounded_apart() -> None:
    """Reads of one kind (one customer by id) evict none of another kind (list pages), and
    the same key on two shelves is two reads."""
    cache, reads = RowCache(Counts(), 2), Reads()
    run(cache.read("a", "page", reads))
    for customer in ("c1", "c2", "c3"):
        run(cache.read("a", customer, reads, "customer"))
    assert run(cache.read("a", "page", reads)) == 1
    assert cache.kept_keys("a", "customer") == ["c2", "c3"]
    assert run(cache.read("a", "page", reads, "customer")) == 5
    assert cache.kept_keys("a") == ["page"]


def test_a_change_lets_go_of_every_shelf() -> None:
    counts = Counts()
    cache, reads = RowCache(counts, 8), Reads()
    run(cache.read("a", "page", reads))
    run(cache.read("a", "c1", reads, "customer"))
    counts.counts["a"] = 2
    run(cache.read("a", "page", reads))
    assert (cache.kept_keys("a"), cache.kept_keys("a", "customer")) == (["page"], [])


def test_none_kept_with_no_entries() -> None:
    cache, reads = RowCache(Counts(), 0), Reads()
    assert [run(cache.read("a", "page", reads)) for _ in range(2)] == [1, 2]


def test_reads_of_an_older_count_are_let_go_at_the_next_read() -> None:
    """An erased customer's page is not held on to until evicted: the first read under a new
    count drops every read kept under the old one."""
    counts = Counts()
    cache, reads = RowCache(counts, 8), Reads()
    for key in ("x", "y"):
        run(cache.read("a", key, reads))
    counts.counts["a"] = 2
    run(cache.read("a", "x", reads))
    assert cache.kept_keys("a") == ["x"]


def test_a_read_model_forgotten_keeps_nothing_not_even_a_read_under_way() -> None:
    """The counting thread tells the cache at once when a count moves (``forget``)."""
    cache = RowCache(Counts(), 8)
    run(cache.read("a", "page", Reads()))
    cache.forget("a")
    assert cache.kept_keys("a") == []

    def forgotten_meanwhile() -> None:
        cache.forget("a")

    run(cache.read("a", "page", Reads(during=forgotten_meanwhile)))
    assert cache.kept_keys("a") == []
