"""Reads of a read model's rows kept until its rows change, for the process that changes them.

A list page read by many callers while nothing is written (a dashboard's directory, staff
paging the same customers) read the same rows from PostgreSQL each time: the round trip, the
server's execution and the rows' loading were about two fifths of such a page's CPU in the
API. When this process applies a read model (``cxledger serve`` runs the projections beside
the API), it knows when that read model's rows may change: its applying thread counts each
change (``AppliedPositions.rows_generation``, even while the rows stand still, odd while a
change is in flight). A read that began and ended within one even count saw the rows exactly
as they are until the count moves again, so its result is kept under that count and given to
the next equal read while the count has not moved: the same rows the database would have
given, without the database. When the count moves, every read kept for that read model is let
go at once (``forget``, told by ``AppliedPositions.watch_changes``): an erased customer's page
is not held in memory after the erasure's pass begins.

What the count cannot see is handled by not keeping anything: a read model another process
applies (an API replica, a lease held elsewhere), reads served by a streaming standby (the app
makes no cache then), a change in flight. What this process learns of late (a rebuild's
switch done by another process, another worker's batch while this one lost its lease) moves the
count when it learns it (``AppliedPositions.saw``, ``lead``); no kept read is older than
``MAX_AGE_SECONDS`` either, which bounds how long what it never learns could be shown: a row
changed by hand, and, by another process, a parked event applied again or a rebuild switched
in at the position the read model already had (neither moves the position).

Keys are whatever decides the read's result besides the rows (the statement's arguments), so
the caller's role never enters the rows: what a caller may see of them is decided afterwards,
for each request, as before. Erasure writes events the read models apply like any other, so
an erased customer's rows move the count. At most ``entries`` reads are kept (the least
recently used go first) per read model and shelf; 0 keeps none. A shelf is a kind of read
(``shelf``: a list page, one customer by id): staff opening many customers one by one filled
the directory's one bound with single rows and evicted the dashboard's pages, each of which
then cost a read again; each kind now has its own bound.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, Protocol, TypeVar, cast

T = TypeVar("T")

MAX_AGE_SECONDS = 1.0
"""The longest a kept read is given out: the bound on anything the count cannot see."""


class RowGenerations(Protocol):
    def rows_generation(self, name: str) -> int | None: ...


class RowCache:
    """Reads of read models' rows kept per (read model, key) while their rows stand still."""

    def __init__(
        self,
        generations: RowGenerations,
        entries: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._generations = generations
        self._entries = entries
        self._clock = clock
        self._kept: dict[str, _Kept] = {}
        self._counts: dict[str, list[int]] = {}
        self.hits = 0
        self.misses = 0

    def counts(self) -> dict[str, tuple[int, int]]:
        """Per read model, the reads given from what was kept and those read, while a count
        was known (a read while none was known is in neither)."""
        return {name: (kept, read) for name, (kept, read) in self._counts.items()}

    async def read(
        self, name: str, key: Hashable, read: Callable[[], Awaitable[T]], shelf: str = ""
    ) -> T:
        """``read()``'s result for ``key`` of read model ``name``: the one kept, if kept
        under the rows' present count and young enough, else read now (and kept if the count
        did not move while it was read, on ``shelf``, the kind of read: each kind is bounded
        apart). Kept results are shared: never change one."""
        generation = self._generations.rows_generation(name)
        if generation is None or self._entries <= 0:
            return await read()
        kept = self._kept.get(name)
        if kept is None or kept.generation != generation:
            # Reads of rows that have changed since go at once, whoever asks next: an
            # erased customer's rows are not held on to until they would be evicted.
            kept = self._kept[name] = _Kept(generation)
        reads = kept.shelves.get(shelf)
        if reads is None:
            reads = kept.shelves[shelf] = OrderedDict()
        now = self._clock()
        found = reads.get(key)
        counts = self._counts.get(name) or self._counts.setdefault(name, [0, 0])
        if found is not None and now - found[0] <= MAX_AGE_SECONDS:
            reads.move_to_end(key)
            self.hits += 1
            counts[0] += 1
            return cast(T, found[1])  # kept by this key's read, so read's result
        self.misses += 1
        counts[1] += 1
        result = await read()
        if self._generations.rows_generation(name) == generation and kept is self._kept.get(name):
            reads[key] = (now, result)
            reads.move_to_end(key)
            if len(reads) > self._entries:
                reads.popitem(last=False)
        return result

    def forget(self, name: str) -> None:
        """Let go of every read kept for ``name`` (its count moved). Safe from any thread: one
        dict operation, and a read under way keeps nothing once its slot is gone."""
        self._kept.pop(name, None)

    def kept_keys(self, name: str, shelf: str = "") -> list[Hashable]:
        """The keys of the reads kept for ``name`` on ``shelf`` now, least recently used
        first."""
        kept = self._kept.get(name)
        reads = None if kept is None else kept.shelves.get(shelf)
        return [] if reads is None else list(reads)


_Shelf = OrderedDict[Hashable, tuple[float, Any]]
"""One kind of a read model's kept reads: key -> (when read, result), least recent first."""


class _Kept:
    """One read model's kept reads, all of one count of its changes, by shelf."""

    __slots__ = ("generation", "shelves")

    def __init__(self, generation: int) -> None:
        self.generation = generation
        self.shelves: dict[str, _Shelf] = {}
