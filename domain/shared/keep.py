"""`KEEP`: the value of an optional command field the caller did not send.

Distinguishes "leave it as it is" from "set it to nothing" (None) in partial updates.
"""

from __future__ import annotations

from enum import Enum
from typing import Final, Literal, TypeAlias, TypeVar

T = TypeVar("T")


class _Keep(Enum):
    KEEP = "keep"


KEEP: Final = _Keep.KEEP
Keep: TypeAlias = Literal[_Keep.KEEP]
