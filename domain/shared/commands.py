"""Commands as data, each run by one handler function of its slice.

A command is a frozen dataclass deriving from ``Command[R]``, ``R`` being what its handler
returns. A handler is a function of its slice, ``handler(ledger, command, metadata) -> R``: it
loads what it needs through the ledger core (``find``, ``load``), asks other slices through
their query functions, decides through the aggregates, and commits. One table,
``domain.handlers.HANDLERS``, maps each command type to its handler; ``LedgerCore.handle`` runs a
command by it. Slices do not inherit each other's commands.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from domain.shared.metadata import EventMetadata

if TYPE_CHECKING:
    from domain.shared.application import LedgerCore

R = TypeVar("R", covariant=True)


class Command(Generic[R]):
    """Base of every command dataclass; ``R`` is what running it returns."""

    __slots__ = ()


Handler = Callable[["LedgerCore", Any, EventMetadata], Any]
"""``handler(ledger, command, metadata)``: runs one type of command."""
