"""Hypothesis strategies for values every column type of the read models must take."""

from __future__ import annotations

from datetime import datetime

from hypothesis import strategies as st

BIGINT = st.integers(min_value=-(2**63), max_value=2**63 - 1)
TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00"))
"""Any text PostgreSQL stores: no NUL, no lone surrogate (neither is valid UTF-8)."""
AWARE_TIMES = st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(9000, 1, 1), timezones=st.timezones()
)
JSON_DOCS = st.dictionaries(TEXT, st.one_of(TEXT, BIGINT, st.booleans(), st.none()), max_size=3)
