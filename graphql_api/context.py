"""What every resolver gets: the services, the caller, and the request's metadata."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Any, Literal, Protocol, TypeVar
from uuid import UUID, uuid4

import anyio.to_thread
from opentelemetry.trace import Tracer
from psycopg_pool import AsyncConnectionPool
from starlette.routing import BaseRoute

from domain.ledger import Ledger
from domain.shared.metadata import Channel, EventMetadata
from graphql_api.auth import (
    LogIn,
    PasswordAccess,
    Principal,
    RefreshSessions,
    Sessions,
    TokenAuthenticator,
    TokenVerifier,
)
from graphql_api.deflection import Deflection
from graphql_api.health_sources import HealthSources
from graphql_api.limits.config import RequestLimits
from graphql_api.limits.gates import WorkGates
from graphql_api.limits.page_posts import PagePosts
from graphql_api.limits.rate import ClientRateLimit
from graphql_api.loaders import Loaders
from graphql_api.metrics.registry import ApiMetrics
from graphql_api.notices import Notice, position_not_reached
from graphql_api.notification_source import NotificationSource
from graphql_api.position_watch import PositionWatch
from graphql_api.web_options import WebOptions
from projections.applied import AppliedPositions
from projections.audit.keys import AuditKeys
from projections.row_cache import RowCache

T = TypeVar("T")
R = TypeVar("R")
IntrospectionPolicy = Literal["on", "off", "staff"]
"""Who may introspect the schema and get "Did you mean" hints (graphql_api.schema_disclosure)."""


def _nothing() -> None:
    return None


class RegisteredWebhook(Protocol):
    """What a registration answers: the endpoint's id and its signing secret."""

    @property
    def id(self) -> int: ...

    @property
    def secret(self) -> str: ...


RegisterWebhook = Callable[[str, list[str], str], RegisteredWebhook]


def _no_notification(notification_id: int) -> bool:
    return False  # no sender: there is nothing it failed to send


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
    read_conninfo: str | None = None
    """Where read-model queries go: a hot standby of ``conninfo``'s database; None: there."""
    listener: NotificationSource | None = None
    """The process's shared LISTEN session; None: the API listens on a connection of its own."""
    prepared_statements: bool = True
    """False behind a transaction-mode pooler (PgBouncer), where they do not survive."""
    read_cache_entries: int = 256
    """Reads kept per read model while its rows stand still (``projections.row_cache``:
    only for read models applied in this process, read from its database); 0: none
    (CXL_READ_CACHE_ENTRIES)."""
    on_start: Callable[[], None] = _nothing
    on_stop: Callable[[], None] = _nothing
    projection_errors: Callable[[], dict[str, str]] = _no_errors
    applied: AppliedPositions | None = field(default=None, compare=False)
    """The positions this process's own projections commit, told as each commits (the worker
    ``on_start`` starts); None: none run here. Read-your-writes waits wake on them, unless
    reads go to a replica (``read_conninfo``), which may not show them yet."""
    page_key: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
    """Key of the pages' form tokens (CSRF); every replica needs the same one. The composition
    root derives it from the JWT secret; the default suits one process alone (tests)."""
    page_posts: PagePosts | None = None
    """The per-address throttle of the pages' form posts; None: only the rate limit applies."""
    deflection: Deflection | None = None
    """Counts the knowledge base's searches and suggestions and the tickets that followed;
    None: nothing is counted and suggestions carry no token."""
    web: WebOptions = field(default_factory=WebOptions)
    """CORS, GraphiQL's development token, the access log and who may read `/metrics`."""
    metrics: ApiMetrics = field(default_factory=ApiMetrics, compare=False)
    """This app's Prometheus series (`/metrics`)."""
    retry_notification: Callable[[int], bool] = _no_notification
    """Gives a failed notification (by id) a fresh set of tries; False if none is failed."""
    register_webhook: RegisterWebhook | None = None
    """Registers an endpoint for kinds of notification (url, kinds, who) -> (id, secret);
    None: this server cannot (``registerWebhook`` answers WEBHOOKS_UNAVAILABLE)."""
    extra_routes: Sequence[BaseRoute] = ()
    """Pages the composition root mounts beside the API (unsubscribe, the dev mailbox)."""
    health: HealthSources = field(default_factory=HealthSources)
    """The version, the process managers and the schema check the health endpoints report."""
    tracer: Tracer | None = None
    """Makes one span per GraphQL operation (``graphql_api.tracing``); None: tracing is off."""
    authenticate_token: TokenAuthenticator | None = None
    """Verifies a bearer token, fetching an identity provider's keys when it must (OIDC staff
    sign-in); None: ``verify_token`` alone (no identity provider)."""
    refresh_sessions: RefreshSessions | None = None
    """Customers' refresh tokens; None: logIn gives an access token only and refreshSession
    and logOut answer REFRESH_TOKENS_UNAVAILABLE."""
    gates: WorkGates = field(init=False, compare=False)
    """This process's slots for password hashing and expensive work, made from ``limits``."""
    rate: ClientRateLimit = field(init=False, compare=False)
    """This process's token buckets per client, shared by HTTP and the WebSocket."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "gates", WorkGates(self.limits.requests))  # frozen: set once
        object.__setattr__(self, "rate", ClientRateLimit(self.limits.requests, self.verify_token))

    async def authenticate(self, token: str) -> Principal:
        """The caller behind a bearer token: InvalidTokenError, or
        IdentityProviderUnavailableError when an identity provider's keys cannot be had."""
        if self.authenticate_token is None:
            return self.verify_token(token)
        return await self.authenticate_token(token)


@dataclass
class RequestContext:
    """Per-request context given to resolvers as ``info.context``."""

    services: ApiServices
    pool: AsyncConnectionPool[Any]
    positions: PositionWatch
    """The process's read-your-writes waits (``graphql_api.position_watch``)."""
    principal: Principal
    channel: Channel
    correlation_id: UUID
    client_address: str = "unknown"
    """The client's address, for throttles (``graphql_api.limits.client``)."""
    read_cache: RowCache | None = None
    """Reads kept while their read model's rows stand still (``projections.row_cache``);
    None: every read goes to the database."""

    @cached_property
    def request_id(self) -> UUID:
        """This request's id, the causation of the events its commands record; made when a
        command first asks (a query never does, and a UUID costs a system call)."""
        return uuid4()

    @cached_property
    def loaders(self) -> Loaders:
        """This request's data loaders (``graphql_api.loaders``), made when a field first
        asks: seven loaders per request cost a small query a twentieth of its time."""
        return Loaders(self.pool)

    async def kept_read(
        self, name: str, key: Hashable, read: Callable[[], Awaitable[R]], shelf: str = ""
    ) -> R:
        """``read()``'s result, or the same read's kept while read model ``name``'s rows have
        not changed (``key``: everything besides the rows that decides it; ``shelf``: the kind
        of read, each kind kept within its own bound)."""
        if self.read_cache is None:
            return await read()
        return await self.read_cache.read(name, key, read, shelf)

    @property
    def ledger(self) -> Ledger:
        return self.services.ledger

    def forget_loaded(self) -> None:
        """After a write: make this request's loaders forget what they read, if it has any
        (most mutations read nothing before their write: making seven loaders only to clear
        them cost each one for nothing)."""
        loaders: Loaders | None = self.__dict__.get("loaders")  # made by ``loaders`` if asked
        if loaders is not None:
            loaders.forget()

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
        return await self.positions.wait(
            projection, position, self.services.limits.read_your_writes_timeout
        )

    async def wait_for_write(self, projection: str, position: int) -> list[Notice]:
        """What every mutation does after its write: wait (bounded) for ``projection`` to show
        it; if it does not in time, a POSITION_NOT_REACHED notice for the payload."""
        if await self.read_your_write(projection, position):
            return []
        return [position_not_reached(position, self.services.limits.read_your_writes_timeout)]
