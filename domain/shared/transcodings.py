"""Transcodings of the library's value types, decoded with a memory.

Decoding the log (a rebuild, a projection catching up) turns the same ids into ``UUID`` objects
again and again: a customer's id is in each of their events. A ``UUID`` is immutable, so the
events may share one; parsing a hex string costs several dictionary look-ups' worth.
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.persistence import UUIDAsHex

UUIDS_KEPT = 4_096
"""Bound of the ids one transcoding remembers (cleared whole when full: no per-hit upkeep)."""


class RememberedUUIDAsHex(UUIDAsHex):
    """The library's ``uuid_hex`` (same name, same stored text), remembering what it decoded."""

    def __init__(self) -> None:
        self._decoded: dict[str, UUID] = {}

    def decode(self, data: str) -> UUID:
        value = self._decoded.get(data)
        if value is None:
            if len(self._decoded) >= UUIDS_KEPT:
                self._decoded.clear()
            value = self._decoded[data] = UUID(data)
        return value
