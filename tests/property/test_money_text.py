"""An amount of money is accepted only as plain decimal text (ASCII digits, an optional point
followed by digits), whatever text is tried; anything else is a typed error naming the field."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.purchase.values import parse_amount, to_minor_units
from domain.shared.errors import ValidationError

PLAIN = re.compile(r"[0-9]+(\.[0-9]+)?", re.ASCII)

# Characters that make amounts or look like them: ASCII and other digits, signs, separators,
# points, exponents, spaces.
AMOUNT_LIKE = st.text(
    st.sampled_from(list("0123456789.-+_,eEnNaIifty \u0661\u0660\uff11\uff10\u06f5\u0966")),
    max_size=12,
)
TEXT = st.one_of(AMOUNT_LIKE, st.text(max_size=20), st.from_regex(PLAIN, fullmatch=True))


@given(text=TEXT)
def test_an_amount_is_accepted_exactly_when_it_is_plain_decimal_text(text: str) -> None:
    if PLAIN.fullmatch(text):
        assert parse_amount(text) == Decimal(text)
    else:
        with pytest.raises(ValidationError) as refused:
            parse_amount(text, "items.unitPrice")
        assert (refused.value.code, refused.value.field) == ("INVALID_INPUT", "items.unitPrice")


@given(text=TEXT)
def test_minor_units_of_any_text_are_a_number_or_a_typed_refusal(text: str) -> None:
    try:
        minor = to_minor_units(text, "EUR")
    except ValidationError as refused:
        assert refused.field == "amount"
        return
    assert PLAIN.fullmatch(text)
    assert Decimal(minor) / 100 == Decimal(text)


@pytest.mark.parametrize(
    "text",
    ["\u0661\u0660", "\uff11\uff10", "1_000", "+5", ".5", "5.", "1e3", "-5", "1,000", " 5", "NaN"],
)
def test_the_forms_found_by_probing_are_refused(text: str) -> None:
    with pytest.raises(ValidationError):
        to_minor_units(text, "EUR")


@pytest.mark.parametrize(("text", "minor"), [("10", 1000), ("12.50", 1250), ("0.01", 1)])
def test_plain_amounts_convert_to_minor_units(text: str, minor: int) -> None:
    assert to_minor_units(text, "EUR") == minor
