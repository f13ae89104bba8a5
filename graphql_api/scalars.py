"""The schema's own readings of two standard scalars, with the same names and SDL.

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
"""

from __future__ import annotations

import decimal
from datetime import UTC, datetime
from typing import NewType

from graphql import GraphQLError
from graphql.pyutils import inspect
from strawberry.schema.types.base_scalars import DateTimeDefinition
from strawberry.types.scalar import ScalarDefinition

AmountText = NewType("AmountText", str)
"""An amount of money as the client wrote it; the domain parses it."""


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
SCALARS: dict[object, ScalarDefinition] = {
    datetime: DATETIME,
    decimal.Decimal: DECIMAL,
    AmountText: DECIMAL,
}
"""The scalar map of the schema (StrawberryConfig.scalar_map)."""
