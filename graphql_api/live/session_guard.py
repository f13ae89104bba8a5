"""A WebSocket connection lasts no longer than the token that opened it.

graphql-transport-ws authenticates once, at ``connection_init``; without a guard a
subscription would go on delivering after its token expired, or after its customer's session
ended. The guard wakes at the token's expiry (and, for a customer, every
:data:`SESSION_RECHECK` seconds to compare their session version), stops every operation of the
connection, and closes it with 4403 Forbidden: the code the protocol gives a refused
``connection_init``, and one that graphql-ws clients retry, so a client reconnects with a fresh
token.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from typing import TypeVar

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import ConnectionInitMessage

from graphql_api.auth import Principal
from graphql_api.context import RequestContext
from graphql_api.sessions import session_is_current

C = TypeVar("C", bound=RequestContext)
log = logging.getLogger(__name__)

SESSION_RECHECK = 3.0
"""Seconds between checks of a customer connection's session version: an ended session is
noticed within this time (the token's expiry is noticed on time)."""
FORBIDDEN = 4403


class SessionBoundHandler(BaseGraphQLTransportWSHandler[C, None]):
    """strawberry's graphql-transport-ws handler, closing the connection when its token
    expires or its session ends."""

    _guard: asyncio.Task[None] | None = None

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        await super().handle_connection_init(message)
        principal = self.context.principal
        bounded = principal.expires_at is not None or principal.session_version is not None
        if self.connection_acknowledged and bounded and self._guard is None:
            self._guard = asyncio.create_task(self._close_when_session_ends(principal))

    async def shutdown(self) -> None:
        if self._guard is not None:
            self._guard.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._guard
        await super().shutdown()

    async def _close_when_session_ends(self, principal: Principal) -> None:
        while await self._still_valid(principal):
            await asyncio.sleep(_until_next_check(principal))
        for operation_id in list(self.operations):
            await self.cleanup_operation(operation_id)
        with contextlib.suppress(Exception):  # the client may have gone meanwhile
            await self.websocket.close(code=FORBIDDEN, reason="Forbidden")

    async def _still_valid(self, principal: Principal) -> bool:
        if principal.expires_at is not None and datetime.now(UTC) >= principal.expires_at:
            return False
        context = self.context
        try:
            return await session_is_current(context.services, context.pool, principal)
        except Exception:
            # No answer from the database: close (fail closed); the client reconnects and
            # is checked afresh.
            log.warning("cannot check a connection's session; closing it", exc_info=True)
            return False


def _until_next_check(principal: Principal) -> float:
    wait = SESSION_RECHECK if principal.session_version is not None else float("inf")
    if principal.expires_at is not None:
        wait = min(wait, (principal.expires_at - datetime.now(UTC)).total_seconds())
    return max(wait, 0.0)
