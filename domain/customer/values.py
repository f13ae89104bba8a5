"""Value rules for customer input: names, emails, phones, regions."""

from __future__ import annotations

import re
import unicodedata

from domain.shared.errors import ValidationError

MAX_NAME_LENGTH = 200
MAX_EMAIL_LENGTH = 254
MAX_REGION_LENGTH = 64
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ()\-.]{5,32}$")
_REGION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _\-]*$")


def _clean(text: str) -> str:
    # NFC so that visually equal names compare equal; control characters are never data.
    text = unicodedata.normalize("NFC", text).strip()
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cc")


def normalise_name(name: str) -> str:
    cleaned = _clean(name)
    if not cleaned:
        raise ValidationError("name must not be empty", field="name")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise ValidationError(f"name is longer than {MAX_NAME_LENGTH} characters", field="name")
    return cleaned


def normalise_email(email: str) -> str:
    """Lower-cased, trimmed email: the form that uniqueness is decided on."""
    cleaned = _clean(email).lower()
    if len(cleaned) > MAX_EMAIL_LENGTH or not _EMAIL.match(cleaned):
        raise ValidationError("email is not a valid address", field="email")
    return cleaned


def normalise_phone(phone: str | None) -> str | None:
    if phone is None or not phone.strip():
        return None
    cleaned = _clean(phone)
    if not _PHONE.match(cleaned):
        raise ValidationError("phone is not a valid number", field="phone")
    return cleaned


def normalise_region(region: str | None) -> str | None:
    if region is None or not region.strip():
        return None
    cleaned = _clean(region)
    if len(cleaned) > MAX_REGION_LENGTH or not _REGION.match(cleaned):
        raise ValidationError("region must be a short code or name", field="region")
    return cleaned
