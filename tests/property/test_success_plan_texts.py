"""Any text in a success plan's inputs (title, goal, milestone, note) is either accepted within
its bound or refused with INVALID_INPUT naming the field; nothing else is raised."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.shared.errors import ValidationError
from domain.success.values import (
    MAX_GOAL,
    MAX_MILESTONE,
    MAX_NOTE,
    MAX_TITLE,
    check_goal,
    check_milestone,
    check_note,
    check_title,
)

CHECKS: dict[str, tuple[Callable[[str], str], int]] = {
    "title": (check_title, MAX_TITLE),
    "goal": (check_goal, MAX_GOAL),
    "milestone": (check_milestone, MAX_MILESTONE),
    "note": (check_note, MAX_NOTE),
}


@pytest.mark.parametrize("field", sorted(CHECKS))
@given(text=st.text(max_size=2_500) | st.text(alphabet=st.characters(max_codepoint=40)))
def test_any_text_is_accepted_within_bounds_or_refused_naming_the_field(
    field: str, text: str
) -> None:
    """Accepted text is non-blank, within the bound, with no control character but a note's
    newlines; a refusal is a ValidationError on the field."""
    check, bound = CHECKS[field]
    try:
        clean = check(text)
    except ValidationError as refused:
        assert refused.field == field
        return
    assert clean.strip() and len(clean) <= bound
    assert all(ord(c) >= 32 or (field == "note" and c == "\n") for c in clean)
