"""GraphQL subscriptions over WebSocket, with strawberry's graphql-transport-ws implementation.

Only that protocol, and only subscriptions: queries and mutations stay on the HTTP endpoint,
where body limits, status codes and the metadata headers apply. The caller is authenticated
as over HTTP, by a bearer token: from the ``connection_init`` payload's ``authorization``, in
any case (browsers cannot set headers on a WebSocket), or else the upgrade request's
Authorization header. A bad token (or a customer's ended session) closes the connection
with 4403; no token is the anonymous caller, whom each subscription's permissions refuse
with a FORBIDDEN error. The connection closes with 4403 too when its token expires or its
session ends later (:mod:`graphql_api.live.session_guard`).

A connection attempt takes a token from the client's rate-limit bucket, the one its HTTP
requests draw on (by the upgrade's bearer token if it has a valid one, else by address): past
it the handshake is answered 429 with Retry-After, before the connection is accepted. Each
subscription is limited too (:mod:`graphql_api.live.operation_limits`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, cast
from uuid import uuid4

from graphql import GraphQLError, get_operation_ast, parse
from graphql import OperationType as OperationTypeNode
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.schema import BaseSchema, Schema
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UnsetType

from domain.shared.metadata import Channel
from graphql_api.auth import IdentityProviderUnavailableError, InvalidTokenError, Principal
from graphql_api.context import ApiLimits, ApiServices, RequestContext
from graphql_api.error_log import log_refused_request
from graphql_api.limits.client import client_address
from graphql_api.limits.rate import too_many_requests
from graphql_api.live.notifications import DashboardNotifications
from graphql_api.live.operation_limits import OperationLimitedHandler
from graphql_api.sessions import session_is_current

CONNECTION_INIT_TIMEOUT = timedelta(seconds=10)


@dataclass
class LiveContext(RequestContext):
    """The context of one WebSocket connection, shared by its subscriptions."""

    notifications: DashboardNotifications | None = None
    upgrade_authorization: str | None = None
    connection_params: dict[str, Any] = field(default_factory=dict)
    """The ``connection_init`` payload; strawberry sets it."""


class SubscriptionsOnly:
    """The schema as the WebSocket runs it: subscriptions only. Strawberry's handler calls
    ``stream``, which would otherwise run queries and mutations too."""

    def __init__(self, schema: Schema, max_tokens: int) -> None:
        self.schema = schema
        self.max_tokens = max_tokens

    async def stream(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        operation_extensions: dict[str, Any] | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
    ) -> Any:
        if self._is_other_operation(query, operation_name):
            return _refusal()
        return await self.schema.stream(
            query,
            variable_values=variable_values,
            context_value=context_value,
            root_value=root_value,
            operation_name=operation_name,
            operation_extensions=operation_extensions,
            allowed_operation_types=(OperationType.SUBSCRIPTION,),
        )

    def _is_other_operation(self, query: str | None, operation_name: str | None) -> bool:
        """A query or mutation, told apart before it runs (the schema would refuse it only
        with a masked error); documents that do not parse are left to the schema."""
        try:
            document = parse(query or "", max_tokens=self.max_tokens)
        except GraphQLError:
            return False
        operation = get_operation_ast(document, operation_name)
        return operation is not None and operation.operation is not OperationTypeNode.SUBSCRIPTION


async def _refusal() -> AsyncIterator[PreExecutionError]:
    message = "only subscriptions run over the WebSocket; send queries and mutations over HTTP"
    error = GraphQLError(message, extensions={"code": "BAD_REQUEST"})
    yield PreExecutionError(data=None, errors=[error])


class LiveGraphQL(GraphQL[LiveContext, None]):
    """The ASGI app for the WebSocket route at ``/graphql``."""

    graphql_transport_ws_handler_class = OperationLimitedHandler[LiveContext]

    def __init__(self, schema: Schema, limits: ApiLimits) -> None:
        super().__init__(
            cast(BaseSchema, SubscriptionsOnly(schema, limits.max_query_tokens)),
            graphql_ide=None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=CONNECTION_INIT_TIMEOUT,
            # Also counted, with a clear code, by OperationLimitedHandler: this is strawberry's
            # own guard behind it.
            max_subscriptions_per_connection=limits.requests.max_subscriptions_per_connection,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            websocket = WebSocket(scope, receive=receive, send=send)
            services: ApiServices = websocket.app.state.services
            wait = services.rate.wait(services.rate.client_of(websocket))
            if wait > 0:
                await _refuse_handshake(websocket, wait)
                return
        await super().__call__(scope, receive, send)

    async def get_context(self, request: Request | WebSocket, response: Any) -> LiveContext:
        state = request.app.state
        services: ApiServices = state.services
        return LiveContext(
            services=services,
            pool=state.pool,
            positions=state.positions,
            principal=Principal.anonymous(),
            channel=Channel.API,
            correlation_id=uuid4(),
            notifications=state.notifications,
            upgrade_authorization=request.headers.get("authorization"),
            client_address=client_address(request, services.limits.requests.trusted_proxies),
        )

    async def on_ws_connect(self, context: LiveContext) -> UnsetType | dict[str, object] | None:
        offered = _offered_authorization(context.connection_params)
        header = offered if offered is not None else context.upgrade_authorization
        if header is not None:
            context.principal = await _principal(header, context.services)
            if not await session_is_current(context.services, context.pool, context.principal):
                raise _rejected("the session has ended")
        return await super().on_ws_connect(context)

    async def render_graphql_ide(self, request: Request) -> Response:
        return Response(status_code=404)  # GraphiQL is served by the HTTP endpoint


async def _refuse_handshake(websocket: WebSocket, wait: float) -> None:
    """429 with Retry-After, as over HTTP, where the server can answer a handshake so; else a
    close before accepting (the server then answers 403)."""
    if "websocket.http.response" in websocket.scope.get("extensions", {}):
        await websocket.send_denial_response(too_many_requests(wait))
    else:
        await websocket.close()


def _offered_authorization(params: object) -> object | None:
    """The ``connection_init`` payload's Authorization, whatever its case: header names are
    case-insensitive, and clients send ``Authorization`` as often as ``authorization``. Two
    spellings with different values are refused rather than one of them silently chosen."""
    if not isinstance(params, dict):
        return None
    offered = [v for k, v in params.items() if isinstance(k, str) and k.lower() == "authorization"]
    if any(value != offered[0] for value in offered[1:]):
        raise ConnectionRejectionError()
    return offered[0] if offered else None


async def _principal(header: object, services: ApiServices) -> Principal:
    if not isinstance(header, str):
        raise _rejected("authorization is not a string")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _rejected("authorization is not `Bearer <token>`")
    try:
        return await services.authenticate(token.strip())
    except InvalidTokenError as error:
        raise _rejected(f"invalid token: {error}") from None
    except IdentityProviderUnavailableError as error:
        # graphql-ws can only close the connection: 4403, and the reason in the log.
        raise _rejected(f"the identity provider cannot be reached: {error}") from None


def _rejected(reason: str) -> ConnectionRejectionError:
    """A refused connection_init (closed 4403), logged as the refusal it is: INFO, one line."""
    log_refused_request(4403, "FORBIDDEN", f"WebSocket connection refused: {reason}")
    return ConnectionRejectionError()
