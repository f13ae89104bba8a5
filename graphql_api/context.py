"""What every resolver gets: the services, the caller, and the request's metadata."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal, TypeVar
from uuid import UUID, uuid4

import anyio.to_thread
from psycopg_pool import AsyncConnectionPool

from domain.ledger import Ledger
from domain.shared.metadata import Channel, EventMetadata
from graphql_api.auth import LogIn, PasswordAccess, Principal, Sessions, TokenVerifier
from graphql_api.limits.config import RequestLimits
from graphql_api.limits.gates import WorkGates
from graphql_api.limits.rate import ClientRateLimit
from graphql_api.loaders import Loaders
from graphql_api.notices import Notice, position_not_reached
from graphql_api.notification_source import NotificationSource
from projections.audit.keys import AuditKeys
from projections.tracking import wait_for_position

T = TypeVar("T")
IntrospectionPolicy = Literal["on", "off", "staff"]
"""Who may introspect the schema and get "Did you mean" hints (graphql_api.schema_disclosure)."""


def _nothing() -> None:
    return None


def _no_errors() -> dict[str, str]:
    return {}


@dataclass(frozen=True)
class ApiLimits:
    max_body_bytes: int = 1_000_000
    max_query_depth: int = 12
    max_query_tokens: int = 2_000
    read_your_writes_timeout: float = 2.0
    database_timeout: float = 3.0
    """Seconds a request waits for a database connection before SERVICE_UNAVAILABLE."""
    erasure_hold_days: int = 0
    """The legal hold of an erasure request that does not choose one (CXL_ERASURE_HOLD_DAYS)."""
    introspection: IntrospectionPolicy = "on"
    """Who may introspect the schema (CXL_GRAPHQL_INTROSPECTION)."""
    requests: RequestLimits = field(default_factory=RequestLimits)
    """Cost, mutations, slots and rate per client (``graphql_api.limits``)."""
    min_group_size: int = 5
    """The fewest people a dashboard figure may describe for readers who may not see personal
    data (CXL_MIN_GROUP_SIZE)."""


@dataclass(frozen=True)
class ApiServices:
    """Everything the API needs, built by the composition root."""

    ledger: Ledger
    conninfo: str
    verify_token: TokenVerifier
    log_in: LogIn
    audit_keys: AuditKeys
    """Keys of the audit chain and its anchors, for verifyAuditTrail."""
    sessions: Sessions
    password_access: PasswordAccess
    limits: ApiLimits = field(default_factory=ApiLimits)
    pool_size: int = 8
    listener: NotificationSource | None = None
    """The process's shared LISTEN session; None: the API listens on a connection of its own."""
    prepared_statements: bool = True
    """False behind a transaction-mode pooler (PgBouncer), where they do not survive."""
    on_start: Callable[[], None] = _nothing
    on_stop: Callable[[], None] = _nothing
    projection_errors: Callable[[], dict[str, str]] = _no_errors
    gates: WorkGates = field(init=False, compare=False)
    """This process's slots for password hashing and expensive work, made from ``limits``."""
    rate: ClientRateLimit = field(init=False, compare=False)
    """This process's token buckets per client, shared by HTTP and the WebSocket."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "gates", WorkGates(self.limits.requests))  # frozen: set once
        object.__setattr__(self, "rate", ClientRateLimit(self.limits.requests, self.verify_token))


@dataclass
class RequestContext:
    """Per-request context given to resolvers as ``info.context``."""

    services: ApiServices
    pool: AsyncConnectionPool[Any]
    principal: Principal
    channel: Channel
    correlation_id: UUID
    request_id: UUID = field(default_factory=uuid4)
    client_address: str = "unknown"
    """The client's address, for throttles (``graphql_api.limits.client``)."""
    loaders: Loaders = field(init=False)
    """This request's data loaders (``graphql_api.loaders``)."""

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.pool)

    @property
    def ledger(self) -> Ledger:
        return self.services.ledger

    def metadata(self) -> EventMetadata:
        """Metadata for the events of this request's command: the request is their cause."""
        return EventMetadata(
            actor_id=self.principal.actor_id,
            actor_role=self.principal.role,
            channel=self.channel,
            correlation_id=self.correlation_id,
            causation_id=self.request_id,
        )

    async def run_command(self, command: Callable[..., T], *args: Any) -> T:
        """Run a synchronous event-store command in a worker thread, off the event loop."""
        return await anyio.to_thread.run_sync(partial(command, *args))

    async def read_your_write(self, projection: str, position: int) -> bool:
        """Wait (bounded) until ``projection`` shows the write at ``position``."""
        return await wait_for_position(
            self.pool, projection, position, self.services.limits.read_your_writes_timeout
        )

    async def wait_for_write(self, projection: str, position: int) -> list[Notice]:
        """What every mutation does after its write: wait (bounded) for ``projection`` to show
        it; if it does not in time, a POSITION_NOT_REACHED notice for the payload."""
        if await self.read_your_write(projection, position):
            return []
        return [position_not_reached(position, self.services.limits.read_your_writes_timeout)]
