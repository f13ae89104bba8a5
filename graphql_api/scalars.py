"""The schema's own reading of a standard scalar, with the same name and SDL.

``Decimal``: money comes in as text, and only the domain knows what a plain amount is
(``domain.purchase.values.parse_amount``): strawberry's parser would accept Arabic-Indic
digits, ``"1_000"`` or ``"1e3"`` and lose the text. Input fields are declared as :data:`AmountText`,
which keeps the text the client sent (a JSON string; numbers are refused, as floats would round);
outputs are :class:`decimal.Decimal` values, written as strings as before. Both share this one
definition, so no input field should be typed ``decimal.Decimal``: it would receive the text.
"""

from __future__ import annotations

import decimal
from typing import NewType

from graphql import GraphQLError
from graphql.pyutils import inspect
from strawberry.types.scalar import ScalarDefinition

AmountText = NewType("AmountText", str)
"""An amount of money as the client wrote it; the domain parses it."""


def _refused(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "INVALID_INPUT"})


def parse_amount_text(value: object) -> AmountText:
    if not isinstance(value, str):
        raise _refused(f'an amount must be a string such as "12.50"; got {inspect(value)}')
    return AmountText(value)


DECIMAL = ScalarDefinition(
    name="Decimal",
    description="Decimal (fixed-point)",
    specified_by_url=None,
    serialize=str,
    parse_value=parse_amount_text,
    parse_literal=None,
)
SCALARS: dict[object, ScalarDefinition] = {
    decimal.Decimal: DECIMAL,
    AmountText: DECIMAL,
}
"""The scalar map of the schema (StrawberryConfig.scalar_map)."""
