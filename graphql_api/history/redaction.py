"""Events and aggregate states as JSON for auditors, with personal data and secrets hidden.

What is personal and what is secret is the domain's declaration (:mod:`domain.shared.disclosure`).
For an auditor's caller: sealed values show their clear text only to callers who may see their
subject's personal data, and read as the erased marker once the subject is erased; personal
values kept in clear (who referred whom) show only to callers who may see the personal data of
the customer asked about; secrets read "[hidden]" for everyone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from domain.shared.personal_data import ERASED_TEXT, PersonalData
from graphql_api.disclosed import JsonValue, document

HIDDEN = "[hidden]"
EVENT_ENVELOPE = frozenset(
    {"originator_id", "originator_version", "originator_topic", "timestamp", "metadata"}
)
"""Event attributes shown as fields of their own rather than inside ``data``."""

MaySee = Callable[[UUID], bool]
"""Whether the caller may see the personal data of a subject."""


class Redactor:
    """Shows domain values to one caller, about one customer (an :class:`Audience`)."""

    def __init__(self, may_see: MaySee, customer_id: UUID) -> None:
        self.may_see = may_see
        self.customer_id = customer_id

    def event_data(self, event: Any) -> dict[str, JsonValue]:
        """An event's payload, without the envelope (stream, version, time, metadata)."""
        payload = {k: v for k, v in vars(event).items() if k not in EVENT_ENVELOPE}
        return document(event, payload, self)

    def state(self, aggregate: Any) -> dict[str, JsonValue]:
        """An aggregate's public attributes (id, version and times are shown apart)."""
        return document(aggregate, vars(aggregate), self)

    def sealed(self, value: PersonalData) -> JsonValue:
        if value.value is None:
            return ERASED_TEXT
        return value.value if self.may_see(value.subject_id) else HIDDEN

    def in_clear(self, value: JsonValue) -> JsonValue:
        return value if self.may_see(self.customer_id) else HIDDEN

    def secret(self, value: object) -> JsonValue:
        return None if value is None else HIDDEN
