"""The database is out of reach, or every read connection is taken: a typed, retryable answer
instead of "Unexpected error.".

Connection losses, refused connections, a pool that found no working connection in time,
and the event store's wrappers of them all mean the same to a client: nothing was done, try
again shortly. They become the GraphQL error code SERVICE_UNAVAILABLE (and HTTP 503 for
clients of application/graphql-response+json). A read pool that timed out because requests
held every connection (:class:`graphql_api.read_pool.PoolExhaustedError`) is no outage but a
saturated server: it becomes BUSY with ``retryAfter``, as when the slots for expensive work are
taken (HTTP 503 with Retry-After for every client). Every other unexpected error stays masked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg
from eventsourcing import persistence
from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from graphql_api.errors import should_mask
from graphql_api.limits.gates import BUSY
from graphql_api.read_pool import PoolExhaustedError

SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
MESSAGE = "the database cannot be reached just now; nothing was done, try again shortly"
_UNREACHABLE: tuple[type[BaseException], ...] = (
    psycopg.OperationalError,  # lost or refused connections, pool timeouts, shutdowns
    psycopg.InterfaceError,  # a connection the database closed
    persistence.OperationalError,
    persistence.InterfaceError,
)


@dataclass(frozen=True)
class DatabaseAnswer:
    """What a client is told when the database could not serve its request."""

    code: str
    message: str
    retry_after: int | None = None

    @property
    def extensions(self) -> dict[str, Any]:
        if self.retry_after is None:
            return {"code": self.code}
        return {"code": self.code, "retryAfter": self.retry_after}


def database_answer(error: BaseException | None) -> DatabaseAnswer | None:
    """BUSY if ``error`` (or an error it was raised from) is an exhausted read pool,
    SERVICE_UNAVAILABLE if it says the database is out of reach, else None."""
    exhausted = _cause(error, (PoolExhaustedError,))
    if isinstance(exhausted, PoolExhaustedError):
        seconds = exhausted.retry_after
        message = f"the server is busy with other requests; try again in {seconds} s"
        return DatabaseAnswer(BUSY, message, seconds)
    if _cause(error, _UNREACHABLE) is not None:
        return DatabaseAnswer(SERVICE_UNAVAILABLE, MESSAGE)
    return None


def _cause(
    error: BaseException | None, kinds: tuple[type[BaseException], ...]
) -> BaseException | None:
    """``error`` or the first error it was raised from that is one of ``kinds``."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, kinds):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None


def is_unavailable(error: GraphQLError) -> bool:
    """True for an error this module answered with SERVICE_UNAVAILABLE."""
    return bool(error.extensions and error.extensions.get("code") == SERVICE_UNAVAILABLE)


class MaskErrorsButUnavailable(MaskErrors):
    """Strawberry's masking of unexpected errors, except that an unreachable database or an
    exhausted read pool gets its own message and code (still nothing of the server's
    internals)."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=should_mask)

    def _process_result(self, result: object) -> None:
        # Most results have no error to mask; strawberry's own test of the result's type (a
        # runtime Protocol) cost more than that, in every request.
        if getattr(result, "errors", None):
            super()._process_result(result)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        answer = database_answer(error.original_error)
        if answer is None:
            return super().anonymise_error(error)
        return GraphQLError(
            message=answer.message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions=answer.extensions,
        )
