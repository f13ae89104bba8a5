"""Emails that only look like another are folded together (NFKC) or refused (invisible
characters, mixed scripts), while every plain ASCII address normalises as it always has."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.customer.values import normalise_email
from domain.shared.errors import ValidationError
from domain.shared.lookalikes import _script, mixes_scripts
from infrastructure.crypto import EmailFingerprinter

INVISIBLE = {
    "zero-width space": "\u200b",
    "zero-width non-joiner": "\u200c",
    "zero-width joiner": "\u200d",
    "word joiner": "\u2060",
    "byte order mark": "\ufeff",
    "soft hyphen": "\u00ad",
    "left-to-right mark": "\u200e",
    "right-to-left mark": "\u200f",
    "right-to-left override": "\u202e",
    "left-to-right embedding": "\u202a",
    "first strong isolate": "\u2068",
    "pop directional isolate": "\u2069",
    "tag latin small letter a": "\U000e0061",
    "private use": "\ue000",
}

MIXED_SCRIPTS = {
    "cyrillic a in the local part": "\u0430da@example.org",
    "cyrillic o in the domain": "ada@examp1e.c\u043em",
    "greek alpha": "\u03b1da@example.org",
    "cyrillic e among latin in a subdomain": "ada@mail.\u0435xample.org",
}

FOLDED = {
    "fullwidth letters": "\uff41\uff44\uff41@example.org",
    "fullwidth at sign and dot": "ada\uff20example\uff0eorg",
    "mathematical bold": "\U0001d41a\U0001d41d\U0001d41a@example.org",
    "ligature-free upper case": "ADA@EXAMPLE.ORG",
}

ACCEPTED = [
    "\u0438\u0432\u0430\u043d@\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444",  # all Cyrillic
    "\u5c71\u7530@\u4f8b\u3048.jp",  # Han and Hiragana: Japanese
    "\u3084\u307e\u3060\u30bf\u30ed\u30a6@example.jp",  # Hiragana and Katakana
    "j\u00fcrgen.m\u00fcller@example.de",  # Latin with diacritics
    "\u0438\u0432\u0430\u043d.smith@example.org",  # scripts differ between labels, not within
]


@pytest.mark.parametrize("character", INVISIBLE.values(), ids=list(INVISIBLE))
@pytest.mark.parametrize("where", ["local", "domain", "end"])
def test_an_invisible_character_anywhere_is_refused_naming_the_email(
    character: str, where: str
) -> None:
    email = {
        "local": f"a{character}da@example.org",
        "domain": f"ada@exam{character}ple.org",
        "end": f"ada@example.org{character}",
    }[where]
    with pytest.raises(ValidationError) as refused:
        normalise_email(email)
    assert (refused.value.code, refused.value.field) == ("INVALID_INPUT", "email")


def test_a_control_character_inside_is_refused_while_surrounding_whitespace_is_trimmed() -> None:
    with pytest.raises(ValidationError):
        normalise_email("ada\t@example.org")
    assert normalise_email("\tada@example.org\n") == "ada@example.org"


@pytest.mark.parametrize("email", MIXED_SCRIPTS.values(), ids=list(MIXED_SCRIPTS))
def test_letters_of_mixed_scripts_in_one_label_are_refused(email: str) -> None:
    with pytest.raises(ValidationError) as refused:
        normalise_email(email)
    assert refused.value.field == "email"
    assert "scripts" in refused.value.message


@pytest.mark.parametrize("email", FOLDED.values(), ids=list(FOLDED))
def test_compatibility_forms_fold_to_the_plain_address(email: str) -> None:
    assert normalise_email(email) == "ada@example.org"


@pytest.mark.parametrize("email", ACCEPTED)
def test_addresses_in_one_script_or_scripts_written_together_are_accepted(email: str) -> None:
    assert normalise_email(email) == unicodedata.normalize("NFKC", email).lower()


def old_normalise(email: str) -> str:
    """normalise_email as it was before look-alikes were handled (NFC, controls removed)."""
    text = unicodedata.normalize("NFC", email).strip()
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cc").lower()


ATOM = st.text(
    st.sampled_from(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~"
    ),
    min_size=1,
    max_size=20,
)
LABEL = st.text(
    st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-"),
    min_size=1,
    max_size=20,
)
ASCII_EMAIL = st.builds(
    lambda local, labels, tld, pad: f"{pad}{'.'.join(local)}@{'.'.join(labels)}.{tld}{pad}",
    st.lists(ATOM, min_size=1, max_size=3),
    st.lists(LABEL, min_size=1, max_size=3),
    st.sampled_from(["org", "com", "ORG", "co.uk", "example"]),
    st.sampled_from(["", " ", "  "]),
)


@given(email=ASCII_EMAIL)
def test_a_plain_ascii_address_normalises_exactly_as_before(email: str) -> None:
    expected = old_normalise(email)
    if len(expected) > 254 or len(expected.partition("@")[0]) > 64:
        return  # too long either way: refused before and after
    assert normalise_email(email) == expected


# Fingerprints of these addresses, computed with the code before this change (same key): a
# customer registered then must still be found by the same email now.
KEY = b"fingerprint-key-for-the-test-32b"
PINNED = {
    "ada@example.org": "ccf8b96551e88753588e5eb7f842fd8bdce2ecd7e763fa475d17962f10cf06df",
    "  Ada.Lovelace+News@Example.ORG ": (
        "568a5df3fe87bef8cb4d5fcaf3e9933319c61e58b7d8e52cc4dfd2d06ebe21ff"
    ),
    "O'Brien_99@sub.example.co.uk": (
        "a13cb12d72622ff8c8d8fcd6bd5ea5a7e31be7bbdfe267f14bc02bf086ad7285"
    ),
    'x"y{z}|~^@x-1.example': "05068a872d6605aa4be78571c51eee6030363375366b11b3f4f9a9f9bd25fcb6",
}


@pytest.mark.parametrize("email", list(PINNED))
def test_stored_fingerprints_of_ascii_addresses_do_not_change(email: str) -> None:
    assert EmailFingerprinter(KEY)(normalise_email(email)) == PINNED[email]


def test_a_fullwidth_look_alike_has_the_plain_address_fingerprint() -> None:
    fullwidth = "\uff41\uff44\uff41@example.org"
    assert EmailFingerprinter(KEY)(normalise_email(fullwidth)) == PINNED["ada@example.org"]


def test_every_ascii_letter_is_latin_so_an_ascii_label_is_checked_without_a_lookup() -> None:
    """``mixes_scripts`` answers an ASCII label at once; that holds only while no ASCII
    character belongs to a script other than Latin."""
    assert {_script(chr(code)) for code in range(128)} <= {None, "LATIN"}
    assert not mixes_scripts("ada-lovelace_1815")
