"""Value rules for customer input: names, emails, phones, regions."""

from __future__ import annotations

import re
import unicodedata

from domain.shared.errors import ValidationError
from domain.shared.lookalikes import has_invisible_characters, mixes_scripts

MAX_NAME_LENGTH = 200
MAX_EMAIL_LENGTH = 254
MAX_REGION_LENGTH = 64
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ()\-.]{5,32}$")
_REGION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _\-]*$")


def _clean(text: str) -> str:
    # NFC so that visually equal names compare equal; control characters are never data.
    text = unicodedata.normalize("NFC", text).strip()
    if text.isascii() and text.isprintable():
        return text  # no control character (in ASCII, exactly the unprintable ones) to remove
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cc")


def normalise_name(name: str) -> str:
    cleaned = _clean(name)
    if not cleaned:
        raise ValidationError("name must not be empty", field="name")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise ValidationError(f"name is longer than {MAX_NAME_LENGTH} characters", field="name")
    return cleaned


def normalise_email(email: str) -> str:
    """The form uniqueness is decided on: NFKC (fullwidth and other compatibility forms fold
    to their plain letters), trimmed, lower-cased. Addresses that would only look like another
    are refused: invisible characters (zero-width, bidi controls, soft hyphen, controls) and
    labels that mix scripts (a Cyrillic letter among Latin ones). A plain ASCII address
    normalises exactly as it always has, so stored fingerprints keep matching."""
    folded = unicodedata.normalize("NFKC", email).strip()
    # ASCII (most addresses) is checked without a look-up per character: its only invisible
    # characters are the controls, exactly what it cannot print, and its letters are Latin.
    ascii_only = folded.isascii()
    if not folded.isprintable() if ascii_only else has_invisible_characters(folded):
        raise ValidationError("email holds invisible or control characters", field="email")
    cleaned = folded.lower()
    if len(cleaned) > MAX_EMAIL_LENGTH or not _EMAIL.fullmatch(cleaned):
        raise ValidationError("email is not a valid address", field="email")
    if not ascii_only and any(mixes_scripts(label) for label in re.split(r"[@.]", cleaned)):
        raise ValidationError("email mixes letters of different scripts in one part", field="email")
    return cleaned


def normalise_phone(phone: str | None) -> str | None:
    if phone is None or not phone.strip():
        return None
    cleaned = _clean(phone)
    if not _PHONE.fullmatch(cleaned):
        raise ValidationError("phone is not a valid number", field="phone")
    return cleaned


def normalise_region(region: str | None) -> str | None:
    if region is None or not region.strip():
        return None
    cleaned = _clean(region)
    if len(cleaned) > MAX_REGION_LENGTH or not _REGION.fullmatch(cleaned):
        raise ValidationError("region must be a short code or name", field="region")
    return cleaned


_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$")
MAX_ADDRESS_PART = 200
EARLIEST_BIRTH_YEAR = 1900


def normalise_language(language: str) -> str:
    """A BCP 47 tag such as `en`, `pt-BR` or `zh-Hant-TW`."""
    cleaned = _clean(language)
    if not _LANGUAGE.fullmatch(cleaned):
        raise ValidationError("language must be a tag such as en or pt-BR", field="language")
    return cleaned


def check_birth_year(birth_year: int | None, this_year: int) -> int | None:
    if birth_year is not None and not EARLIEST_BIRTH_YEAR <= birth_year <= this_year - 13:
        raise ValidationError(
            f"birth year must be between {EARLIEST_BIRTH_YEAR} and {this_year - 13}",
            field="birthYear",
        )
    return birth_year


def normalise_address_part(value: str | None, field: str, *, required: bool) -> str | None:
    cleaned = _clean(value) if value is not None else ""
    if not cleaned:
        if required:
            raise ValidationError(f"{field} must not be empty", field=field)
        return None
    if len(cleaned) > MAX_ADDRESS_PART:
        raise ValidationError(f"{field} is longer than {MAX_ADDRESS_PART} characters", field=field)
    return cleaned
