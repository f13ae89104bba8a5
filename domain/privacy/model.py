"""The DataExport aggregate: one stream per export of a customer's data.

The event says who exported (its metadata), when, whose data, why and which sections. It holds
no personal data of the subject: the reason is the officer's (or the customer's) own words
about the request, checked to be short text, and the subject is known only by their id.
"""

from __future__ import annotations

import re
from datetime import datetime
from uuid import UUID

from domain.shared.aggregate import LedgerAggregate
from domain.shared.errors import ValidationError

MAX_REASON = 500
MAX_SECTIONS = 32
_SECTION = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
# Control characters other than tab and line breaks have no place in a reason (NUL included:
# PostgreSQL text cannot even hold it).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def check_reason(reason: str) -> str:
    """The reason, trimmed: 1 to 500 characters of text."""
    text = reason.strip()
    if not 1 <= len(text) <= MAX_REASON:
        raise ValidationError(f"reason must be 1 to {MAX_REASON} characters", field="reason")
    if _CONTROL.search(text):
        raise ValidationError("reason must not contain control characters", field="reason")
    return text


def check_sections(sections: list[str]) -> list[str]:
    """The sections, checked: 1 to 32 distinct snake_case names."""
    if not 1 <= len(sections) <= MAX_SECTIONS:
        raise ValidationError(f"an export has 1 to {MAX_SECTIONS} sections", field="sections")
    if len(set(sections)) != len(sections):
        raise ValidationError("sections must not repeat", field="sections")
    if not all(_SECTION.fullmatch(name) for name in sections):
        raise ValidationError("a section is a snake_case name", field="sections")
    return list(sections)


class DataExport(LedgerAggregate):
    """One export of a customer's data, recorded before the data leaves the system."""

    class Exported(LedgerAggregate.Created):
        """A customer's data was exported: for ``subject_id``, because of ``reason``, with
        these ``sections``, at ``at``; the metadata says by whom and through which channel."""

        subject_id: UUID
        reason: str
        sections: list[str]
        at: datetime

        def apply(self, export: DataExport) -> None:
            export.subject_id = self.subject_id
            export.reason = self.reason
            export.sections = list(self.sections)
            export.exported_at = self.at

    def __init__(self) -> None:
        pass  # state comes from the events (see Customer.__init__)

    subject_id: UUID
    reason: str
    sections: list[str]
    exported_at: datetime

    @classmethod
    def record(
        cls, export_id: UUID, subject_id: UUID, reason: str, sections: list[str], at: datetime
    ) -> DataExport:
        """Record an export; the reason and sections are checked here."""
        return cls._create(
            cls.Exported,
            id=export_id,
            subject_id=subject_id,
            reason=check_reason(reason),
            sections=check_sections(sections),
            at=at,
        )
