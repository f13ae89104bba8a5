"""The schema's own readings of two standard scalars, with the same names and SDL, and
``Long``, the whole numbers that GraphQL's 32-bit ``Int`` cannot hold.

``DateTime``: strawberry's parser lets through moments that cannot be used (a ``24:00`` on
9999-12-31 raises OverflowError, an offset that moves 0001-01-01 before year 1 in UTC cannot be
compared or stored as UTC). Here they are refused as bad input, so every resolver may assume
the moment it gets lies between ``datetime.min`` and ``datetime.max`` in UTC.

``Decimal``: money comes in as text, and only the domain knows what a plain amount is
(``domain.purchase.values.parse_amount``): strawberry's parser would accept Arabic-Indic
digits, ``"1_000"`` or ``"1e3"`` and lose the text. Input fields are declared as :data:`AmountText`,
which keeps the text the client sent (a JSON string; numbers are refused, as floats would round);
outputs are :class:`decimal.Decimal` values, written as strings as before. Both share this one
definition, so no input field should be typed ``decimal.Decimal``: it would receive the text.

``Long``: points reach 1,000,000,000,000 in one order and sums over a member's history or the
whole program go further, as do counts over the whole base and log positions; graphql-core's
``Int`` refuses anything past 2**31 - 1 and nulls the field. Fields that may pass it are typed
:data:`Long`; their values are Python ints, written out exactly.
"""

from __future__ import annotations

import dataclasses
import decimal
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, NewType

from graphql import GraphQLError
from graphql.pyutils import inspect
from strawberry.schema.types.base_scalars import DateTimeDefinition, UUIDDefinition
from strawberry.types.scalar import ScalarDefinition

AmountText = NewType("AmountText", str)
"""An amount of money as the client wrote it; the domain parses it."""

if TYPE_CHECKING:
    # For mypy a Long is an int, so that the read models' ints fill Long fields without a
    # wrapper at each of them; at run time it is the distinct type the scalar map needs.
    Long = int
else:
    Long = NewType("Long", int)
LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1
"""The range of a read model's 64-bit (bigint) column: every Long the server holds fits it."""
JS_SAFE_MAX = 2**53 - 1


def _isoparse(value: object) -> object:
    parse = DateTimeDefinition.parse_value
    if parse is None:  # never: strawberry's DateTime has a parser
        raise TypeError("strawberry's DateTime has no parser")
    return parse(value)


def _refused(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "INVALID_INPUT"})


def parse_datetime(value: object) -> datetime:
    """Strawberry's reading of an ISO 8601 moment (dateutil's), refusing what it cannot use."""
    example = "an ISO 8601 date and time with its offset, e.g. 2026-01-31T23:59:59Z"
    try:
        moment = _isoparse(value)
        if not isinstance(moment, datetime):
            raise TypeError(type(moment))
        if moment.tzinfo is not None:
            moment.astimezone(UTC)  # raises if the moment is before year 1 or after 9999 in UTC
    except (GraphQLError, ValueError, OverflowError, TypeError):
        raise _refused(
            f"DateTime must be {example}, between 0001-01-01 and 9999-12-31 in UTC; "
            f"got {inspect(value)}"
        ) from None
    return moment


def parse_amount_text(value: object) -> AmountText:
    if not isinstance(value, str):
        raise _refused(f'an amount must be a string such as "12.50"; got {inspect(value)}')
    return AmountText(value)


def serialize_long(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(
            f"Long cannot represent a value that is not a whole number: {inspect(value)}"
        )
    return value


def parse_long(value: object) -> int:
    """A JSON number (or literal) without a fraction or exponent, within 64 bits."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise _refused(f"a Long must be a whole number, e.g. 3000000000; got {inspect(value)}")
    if not LONG_MIN <= value <= LONG_MAX:
        raise _refused(f"a Long must lie between {LONG_MIN} and {LONG_MAX}; got {value}")
    return value


LONG_DESCRIPTION = (
    "A whole number that may exceed 32 bits (GraphQL's Int stops at 2147483647), written as a "
    "JSON number, exactly. Points (one order earns at most 1000000000000; balances and program "
    "sums add orders up), counts over the whole customer base and log positions are Long. "
    f"JavaScript numbers are exact only up to 2^53-1 ({JS_SAFE_MAX}): a balance or sum reaches "
    "it only after some 9000 orders that each earned the most one order may, but a client that "
    "must stay exact beyond it should parse these numbers as big integers. The server holds at "
    "most 64 bits (2^63-1)."
)
LONG = ScalarDefinition(
    name="Long",
    description=LONG_DESCRIPTION,
    specified_by_url=None,
    serialize=serialize_long,
    parse_value=parse_long,
    parse_literal=None,  # graphql-core reads the literal untyped, then calls parse_value
)
DATETIME = ScalarDefinition(
    name="DateTime",
    description="Date with time (isoformat)",
    specified_by_url=None,
    serialize=datetime.isoformat,
    parse_value=parse_datetime,
    parse_literal=None,
)
DECIMAL = ScalarDefinition(
    name="Decimal",
    description="Decimal (fixed-point)",
    specified_by_url=None,
    serialize=str,
    parse_value=parse_amount_text,
    parse_literal=None,
)
# Strawberry's own UUID, with the description it lacks (the schema lint wants every type
# described); parsing and writing are strawberry's, unchanged.
UUID_SCALAR = dataclasses.replace(
    UUIDDefinition,
    description="A UUID, written out in its canonical lowercase hyphenated form, e.g. "
    "0b9e3a36-7c1f-4d6e-9a2b-5f8c1d2e3f40; read in any case, with or without the hyphens.",
)
SCALARS: dict[object, ScalarDefinition] = {
    uuid.UUID: UUID_SCALAR,
    datetime: DATETIME,
    decimal.Decimal: DECIMAL,
    AmountText: DECIMAL,
    Long: LONG,
}
"""The scalar map of the schema (StrawberryConfig.scalar_map)."""
