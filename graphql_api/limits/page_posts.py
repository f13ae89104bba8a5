"""The port of the per-address throttle of the pages' form posts (the composition root fills
it with counters kept in PostgreSQL, ``infrastructure/page_throttle.py``, so that every API
replica counts alike)."""

from __future__ import annotations

from typing import Protocol


class PagePosts(Protocol):
    """Counts one form post from an address. Synchronous: run it off the event loop."""

    @property
    def retry_after(self) -> int:
        """Seconds a refused address is told to wait (the throttle's window)."""
        ...

    def admit(self, address: str) -> bool:
        """True (and counted) unless the address used up its posts in the current window."""
        ...
