"""SMTP servers for tests: real aiosmtpd servers on loopback that refuse every message."""

from __future__ import annotations

from typing import Any


class RefusingHandler:
    """Answers every message's DATA with ``reply`` (a 4xx or 5xx line), counting the tries."""

    def __init__(self, reply: str) -> None:
        self.reply = reply
        self.tries = 0

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.tries += 1
        return self.reply
