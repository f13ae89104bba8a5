"""What every resolver gets: the services, the caller, and the request's metadata."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar
from uuid import UUID, uuid4

import anyio.to_thread
from psycopg_pool import AsyncConnectionPool

from domain.ledger import Ledger
from domain.shared.metadata import Channel, EventMetadata
from graphql_api.auth import LogIn, Principal, TokenVerifier
from projections.tracking import wait_for_position

T = TypeVar("T")


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
    erasure_hold_days: int = 0
    """The legal hold of an erasure request that does not choose one (CXL_ERASURE_HOLD_DAYS)."""
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
    limits: ApiLimits = field(default_factory=ApiLimits)
    pool_size: int = 8
    on_start: Callable[[], None] = _nothing
    on_stop: Callable[[], None] = _nothing
    projection_errors: Callable[[], dict[str, str]] = _no_errors


@dataclass
class RequestContext:
    """Per-request context given to resolvers as ``info.context``."""

    services: ApiServices
    pool: AsyncConnectionPool[Any]
    principal: Principal
    channel: Channel
    correlation_id: UUID
    request_id: UUID = field(default_factory=uuid4)

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
