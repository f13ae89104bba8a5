"""Partial updates: an input field the client left out keeps its value.

Strawberry marks a field left out as ``strawberry.UNSET``; the domain's commands take
``KEEP`` for "leave as it is" and check every value they are given.
"""

from __future__ import annotations

from typing import TypeVar

import strawberry

from domain.shared.keep import KEEP, Keep

T = TypeVar("T")


def kept(value: T) -> T | Keep:
    """``KEEP`` for a field left out; the value sent otherwise (null included)."""
    return KEEP if value is strawberry.UNSET else value


def required(value: str | None) -> str | Keep:
    """A field that cannot be removed: sent as null, the domain refuses the empty value on
    its own field (the same refusal as for an empty text)."""
    return "" if value is None else kept(value)
