"""Customer values' ASCII fast paths (``domain.customer.values``): an email or a name of ASCII
characters normalises, or is refused, exactly as the per-character checks would (these
references are those checks as they were before the fast paths)."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from domain.customer.values import _EMAIL, MAX_EMAIL_LENGTH, normalise_email, normalise_name
from domain.shared.errors import ValidationError
from domain.shared.lookalikes import has_invisible_characters, mixes_scripts


def reference_email(email: str) -> str:
    folded = unicodedata.normalize("NFKC", email).strip()
    if has_invisible_characters(folded):
        raise ValidationError("invisible", field="email")
    cleaned = folded.lower()
    if len(cleaned) > MAX_EMAIL_LENGTH or not _EMAIL.fullmatch(cleaned):
        raise ValidationError("invalid", field="email")
    if any(mixes_scripts(label) for label in re.split(r"[@.]", cleaned)):
        raise ValidationError("mixed", field="email")
    return cleaned


def reference_name(name: str) -> str:
    text = unicodedata.normalize("NFC", name).strip()
    cleaned = "".join(ch for ch in text if unicodedata.category(ch) != "Cc")
    if not cleaned or len(cleaned) > 200:
        raise ValidationError("bad name", field="name")
    return cleaned


def outcome(normalise: object, value: str) -> tuple[str, str]:
    assert callable(normalise)
    try:
        return ("ok", normalise(value))
    except ValidationError as refused:
        return ("refused", refused.field or "")


ASCII = st.text(alphabet=st.characters(max_codepoint=127), max_size=40)
EMAILISH = st.builds(
    lambda local, domain, tld: f"{local}@{domain}.{tld}",
    ASCII,
    st.text(alphabet=st.characters(max_codepoint=0x4FF), max_size=12),
    st.sampled_from(["org", "de", "\u0440\u0444", "c\u200bom"]),
)


@given(st.one_of(ASCII, EMAILISH, st.text(max_size=40)))
@example("\tada@example.org\n")
@example("ada\x7f@example.org")
@example("ada @example.org")
@example("\u0430da@example.org")
def test_an_email_normalises_as_the_per_character_checks_would(email: str) -> None:
    assert outcome(normalise_email, email) == outcome(reference_email, email)


@given(st.one_of(ASCII, st.text(max_size=40)))
@example(" Ada\tLovelace ")
@example("Ada\x00Lovelace")
@example("\x7f")
def test_a_name_cleans_as_the_per_character_checks_would(name: str) -> None:
    assert outcome(normalise_name, name) == outcome(reference_name, name)


@pytest.mark.parametrize("email", ["ada\x7f@example.org", "ada\x01@example.org"])
def test_an_ascii_control_in_an_email_is_refused(email: str) -> None:
    with pytest.raises(ValidationError, match="invisible"):
        normalise_email(email)
