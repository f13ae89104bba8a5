"""The database is out of reach: a typed, retryable answer instead of "Unexpected error.".

Connection losses, refused connections, a pool that found no working connection in time,
and the event store's wrappers of them all mean the same to a client: nothing was done, try
again shortly. They become the GraphQL error code SERVICE_UNAVAILABLE (and HTTP 503 for
clients of application/graphql-response+json); every other unexpected error stays masked.
"""

from __future__ import annotations

import psycopg
from eventsourcing import persistence
from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from graphql_api.errors import should_mask

SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
MESSAGE = "the database cannot be reached just now; nothing was done, try again shortly"
_UNREACHABLE: tuple[type[BaseException], ...] = (
    psycopg.OperationalError,  # lost or refused connections, pool timeouts, shutdowns
    psycopg.InterfaceError,  # a connection the database closed
    persistence.OperationalError,
    persistence.InterfaceError,
)


def database_unreachable(error: BaseException | None) -> bool:
    """True if ``error``, or an error it was raised from, says the database is out of reach."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, _UNREACHABLE):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def is_unavailable(error: GraphQLError) -> bool:
    """True for an error this module answered with SERVICE_UNAVAILABLE."""
    return bool(error.extensions and error.extensions.get("code") == SERVICE_UNAVAILABLE)


class MaskErrorsButUnavailable(MaskErrors):
    """Strawberry's masking of unexpected errors, except that an unreachable database gets
    its own message and code (still nothing of the server's internals)."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=should_mask)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        if not database_unreachable(error.original_error):
            return super().anonymise_error(error)
        return GraphQLError(
            message=MESSAGE,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": SERVICE_UNAVAILABLE},
        )
