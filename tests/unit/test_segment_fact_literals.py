"""A rebuild's new ``segment_facts`` rows go by text COPY with their list facts as array
literals (``statements._lists_as_literals``): every element quoted, what COPY's text format and
the array syntax treat specially included; the other values untouched."""

from __future__ import annotations

from uuid import UUID

from projections.segments.statements import CHANGED_COLUMNS, Facts, _lists_as_literals


def test_lists_become_quoted_literals_and_the_rest_stays() -> None:
    facts = Facts(
        UUID(int=1), region="north", channels=["web", 'a "b"'], consents=[],
        onboarding_steps=["x\\y", "c,d}"],
    )  # fmt: skip
    (row,) = _lists_as_literals([facts.values()[: len(CHANGED_COLUMNS)]])
    names = [name for name, _ in CHANGED_COLUMNS]
    as_dict = dict(zip(names, row, strict=True))
    assert as_dict["channels"] == '{"web","a \\"b\\""}'
    assert as_dict["consents"] == "{}"
    assert as_dict["onboarding_steps"] == '{"x\\\\y","c,d}"}'
    assert as_dict["customer_id"] == UUID(int=1)
    assert as_dict["region"] == "north"
    assert as_dict["purchases"] == 0


def test_no_rows() -> None:
    assert _lists_as_literals([]) == []
