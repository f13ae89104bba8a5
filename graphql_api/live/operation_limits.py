"""What one WebSocket connection may ask: subscriptions within the client's rate, and at most
``max_subscriptions_per_connection`` of them at once.

Each ``subscribe`` message takes a token from the client's bucket, the same one its HTTP
requests draw on (:class:`graphql_api.limits.rate.ClientRateLimit`): the connection's token
subject, else its address. A subscription past the rate or past the bound is refused alone,
the way graphql-transport-ws refuses one operation: an ``error`` message for its id, with the
code RATE_LIMITED (and ``retryAfter``) or TOO_MANY_SUBSCRIPTIONS. The connection and its other
subscriptions go on, and the id may be used again.
"""

from __future__ import annotations

from typing import TypeVar

from graphql import GraphQLError
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ErrorMessage,
    SubscribeMessage,
)

from domain.shared.metadata import Role
from graphql_api.context import RequestContext
from graphql_api.limits.rate import address_client, principal_client, rate_limited_error
from graphql_api.live.session_guard import SessionBoundHandler

C = TypeVar("C", bound=RequestContext)
TOO_MANY_SUBSCRIPTIONS = "TOO_MANY_SUBSCRIPTIONS"


class OperationLimitedHandler(SessionBoundHandler[C]):
    """The session-bound graphql-transport-ws handler, with each subscription rate limited
    and the subscriptions of one connection bounded."""

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        # A subscribe before connection_ack, or with an id in use, is the protocol's to
        # refuse (it closes the connection); anything else is counted here first.
        if self.connection_acknowledged and message["id"] not in self.operations:
            refusal = self._refusal()
            if refusal is not None:
                await self.send_message(
                    ErrorMessage(id=message["id"], type="error", payload=[refusal.formatted])
                )
                return
        await super().handle_subscribe(message)

    def _refusal(self) -> GraphQLError | None:
        """Why the next subscription may not start, as a GraphQL error; None if it may."""
        services = self.context.services
        wait = services.rate.wait(self._client())
        if wait > 0:
            error = rate_limited_error(wait)
            return GraphQLError(error["message"], extensions=error["extensions"])
        most = services.limits.requests.max_subscriptions_per_connection
        if len(self.operations) >= most:
            message = (
                f"this connection already runs {most} subscriptions, the most one may "
                "(CXL_MAX_SUBSCRIPTIONS_PER_CONNECTION); complete one before subscribing again"
            )
            return GraphQLError(message, extensions={"code": TOO_MANY_SUBSCRIPTIONS})
        return None

    def _client(self) -> str:
        principal = self.context.principal
        if principal.role is Role.ANONYMOUS:
            return address_client(self.context.client_address)
        return principal_client(principal)
