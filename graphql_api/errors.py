"""Typed errors as clients see them."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError

from domain.shared.errors import ConcurrencyConflictError, DomainError
from domain.shared.personal_data import PersonalDataUnreadableError


@strawberry.type(description="Why a mutation was refused. Nothing was written.")
class UserError:
    field: list[str] | None = strawberry.field(
        description="Path of the offending input field, when one field is to blame."
    )
    code: str = strawberry.field(description="Stable machine-readable code, e.g. INVALID_INPUT.")
    message: str = strawberry.field(description="Human-readable explanation.")
    current_version: int | None = strawberry.field(
        default=None,
        description="On CONCURRENCY_CONFLICT: the version the aggregate has now.",
    )


def user_error_from(error: DomainError) -> UserError:
    return UserError(
        field=["input", *error.field.split(".")] if error.field else None,
        code=error.code,
        message=error.message,
        current_version=(
            error.current_version if isinstance(error, ConcurrencyConflictError) else None
        ),
    )


class PublicError(GraphQLError):
    """An error whose message is meant for the client; every other error is masked."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, extensions={"code": code})


def should_mask(error: GraphQLError) -> bool:
    """Mask resolver crashes (no internals reach a client); keep our own public errors,
    GraphQL's own parse and validation messages, and the typed error of personal data this
    server cannot decrypt (its message and code are written for clients; the log has the
    cause)."""
    original = error.original_error
    return original is not None and not isinstance(
        original, (PublicError, GraphQLError, PersonalDataUnreadableError)
    )
