"""Text that can pass for other text: invisible characters and letters of mixed scripts.

Used where one string must mean one identity (an email address): ``\u0430da@example.org``
(a Cyrillic a) or ``ada\u200b@example.org`` (a zero-width space) looks like Ada's address but
is another string. Fullwidth and other compatibility forms are folded by NFKC before these
checks; what remains is refused.

A letter's script is read from the first word of its Unicode name (``LATIN SMALL LETTER A``,
``CYRILLIC SMALL LETTER A``, ``CJK UNIFIED IDEOGRAPH-4E00``): the standard library has no
Script property, and for letters this is the script in every case that matters here.
"""

from __future__ import annotations

import unicodedata

INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
"""Controls, format characters (zero-width, bidi controls, soft hyphen), surrogates, private use
and unassigned code points: none is visible text."""

# Scripts that are written together (Unicode TS #39, "highly restrictive"): Japanese, Chinese
# with Bopomofo, Korean, each with Latin.
_WRITTEN_TOGETHER = (
    frozenset({"LATIN", "CJK", "HIRAGANA", "KATAKANA"}),
    frozenset({"LATIN", "CJK", "BOPOMOFO"}),
    frozenset({"LATIN", "CJK", "HANGUL"}),
)
# First words of letter names that are no script of their own.
_SCRIPT_ALIASES: dict[str, str | None] = {
    "IDEOGRAPHIC": "CJK",
    "KATAKANA-HIRAGANA": None,
    "MODIFIER": None,
}


def has_invisible_characters(text: str) -> bool:
    return any(unicodedata.category(ch) in INVISIBLE_CATEGORIES for ch in text)


def mixes_scripts(label: str) -> bool:
    """Whether ``label``'s letters come from scripts that are not written together."""
    if label.isascii():
        return False  # ASCII letters are all Latin (looking each up was most of an email's check)
    scripts = {script for ch in label if (script := _script(ch)) is not None}
    if len(scripts) <= 1:
        return False
    return not any(scripts <= together for together in _WRITTEN_TOGETHER)


def _script(ch: str) -> str | None:
    if not unicodedata.category(ch).startswith("L"):
        return None  # digits, punctuation and marks belong to every script
    first_word = unicodedata.name(ch, "").split(" ", 1)[0]
    return _SCRIPT_ALIASES.get(first_word, first_word)
