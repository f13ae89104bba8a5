"""What the API needs of a process's shared LISTEN session (given by the composition root)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class NotificationSource(Protocol):
    """A LISTEN session shared with others: calls back (from its own thread) on each
    notification of a channel, and after a reconnection (notifications meanwhile are lost)."""

    def subscribe(
        self,
        channel: str,
        on_notify: Callable[[str], None],
        on_reconnect: Callable[[], None] | None = None,
    ) -> Callable[[], None]: ...
