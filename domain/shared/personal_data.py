"""The personal-data marker.

An event field typed :class:`PersonalData` holds data about an identifiable person (the data
subject). The transcoding layer encrypts every such value with that subject's own key, so that
erasing the person is the deletion of one key. When the key is gone the value decodes as an
explicit erased marker (``value is None``) instead of raising.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Transcoding

ERASED_TEXT = "[erased]"
SUBJECT_IDS_KEPT = 10_000
"""Bound of the subject ids one undisclosed transcoding remembers (cleared whole when full)."""


@dataclass(frozen=True, slots=True)
class PersonalData:
    """A piece of text about the data subject ``subject_id``; ``value is None`` once erased."""

    subject_id: UUID
    value: str | None

    @property
    def is_erased(self) -> bool:
        return self.value is None

    def reveal(self) -> str:
        """The clear value, or the erased marker text when the subject has been erased."""
        return ERASED_TEXT if self.value is None else self.value

    def __repr__(self) -> str:
        # Never print personal data into logs or tracebacks by accident.
        state = "erased" if self.value is None else "***"
        return f"PersonalData(subject_id={self.subject_id}, value={state})"


class PersonalDataUnreadableError(Exception):
    """Sealed personal data that ought to be readable is not, or cannot be sealed.

    Never an erasure: an erased subject's data reads as the erased marker. The usual cause is a
    process whose master key is not the one that wrapped the subject keys; the server log has
    the cause. Clients see the code (``extensions``), never the data or the key's details."""

    code = "PERSONAL_DATA_UNREADABLE"
    public_message = (
        "Personal data cannot be decrypted by this server (a key configuration problem; "
        "the server log has the cause). Nothing was written."
    )

    def __init__(self, detail: str) -> None:
        super().__init__(self.public_message)
        self.detail = detail
        """For the log: which subject, and why."""
        self.extensions = {"code": self.code}


class MasterKeyMismatchError(PersonalDataUnreadableError):
    """This process's master key is not the database's: a subject key it made (or unwrapped)
    would be unreadable for every other process, so it refuses."""

    code = "MASTER_KEY_MISMATCH"


class PersonalDataUndisclosed(Transcoding):
    """Decodes sealed personal data without opening it: its subject, and ``value`` None as if
    erased. For readers that store no personal value (the customer history index), which so
    skip the key look-ups and the decryption. It never encodes: nothing is written with it."""

    type = PersonalData
    name = "pd"
    flat = True
    """Its data are strings only: a decoder need not look inside them for tagged values."""

    def encode(self, obj: PersonalData) -> dict[str, str]:
        raise TypeError("personal data is never written undisclosed")

    def __init__(self) -> None:
        self._unread: dict[str, PersonalData] = {}
        """Each subject's unread value, by its stored id: it is immutable, so a person's many
        values share one (parsing the id and making the value were a third of the decode)."""

    def decode(self, data: dict[str, Any]) -> PersonalData:
        text = data["s"]
        unread = self._unread.get(text)
        if unread is None:
            if len(self._unread) >= SUBJECT_IDS_KEPT:
                self._unread.clear()
            unread = self._unread[text] = PersonalData(UUID(text), None)
        return unread
