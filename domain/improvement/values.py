"""What an improvement is about and the bounds of what an announcement says."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from domain.shared.errors import ValidationError
from domain.survey.values import check_product_version, check_text

MAX_MESSAGE = 2_000
"""An announcement's message: a few paragraphs, sent as the body of an email."""
MAX_THEME = 100
"""A comment theme is a word or a two-word phrase of the comments (see the dashboard's
themes); no term the dashboard shows is longer."""
AUDIENCE_CHUNK = 500
"""Customers per ``AudienceRecorded`` event: an audience of any size is recorded in events of
bounded size, and the reaction notifies one chunk per commit."""

_ASPECT_KEY = re.compile(r"[a-z][a-z0-9_]{0,47}")


class TopicKind(StrEnum):
    """What an improvement is about: an aspect customers scored, or a theme of their comments."""

    ASPECT = "aspect"
    THEME = "theme"


@dataclass(frozen=True, slots=True)
class Topic:
    """An aspect's key, or a comment theme (lower case, single spaces)."""

    kind: TopicKind
    name: str

    @classmethod
    def checked(cls, aspect: str | None, theme: str | None) -> Topic:
        """Exactly one of ``aspect`` and ``theme``, each within its bounds."""
        if (aspect is None) == (theme is None):
            raise ValidationError("give exactly one of aspect and theme", field="aspect")
        if aspect is not None:
            if not _ASPECT_KEY.fullmatch(aspect):
                raise ValidationError(
                    "an aspect is a key of lower-case letters, digits and _ (at most 48)",
                    field="aspect",
                )
            return cls(TopicKind.ASPECT, aspect)
        assert theme is not None
        name = check_text(theme, "theme", MAX_THEME).lower()
        return cls(TopicKind.THEME, name)

    def describe(self) -> str:
        return f"the {self.kind.value} {self.name!r}"


def check_message(message: str) -> str:
    """A message of at most ``MAX_MESSAGE`` characters: paragraphs kept, no control character
    but newlines, not blank."""
    lines = [" ".join(line.split()) for line in message.strip().splitlines()]
    clean = "\n".join(lines)
    if not clean:
        raise ValidationError("message must not be blank", field="message")
    if len(clean) > MAX_MESSAGE or any(ord(c) < 32 and c != "\n" for c in clean):
        raise ValidationError(
            f"message is at most {MAX_MESSAGE} printable characters", field="message"
        )
    return clean


def check_announced_version(version: str) -> str:
    """The product version that brings the improvement (required, unlike a survey's)."""
    check_product_version(version)  # refuses a bad one
    return version
