"""Events and aggregate states as JSON for auditors, with personal data and secrets hidden.

Sealed values (:class:`PersonalData`) show their clear text only to callers who may see their
subject's personal data, and read as the erased marker once the subject is erased. A few
unsealed fields are personal by the house rules too (who referred whom: the other party's id
and the code). Secrets are hidden from everyone, whoever asks: anything named like a password,
a token, a digest or a keyed fingerprint.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from domain.shared.personal_data import ERASED_TEXT, PersonalData

HIDDEN = "[hidden]"
SECRET_NAME = re.compile(r"password|token|digest|fingerprint", re.IGNORECASE)
PERSONAL_NAMES = frozenset({"code", "referrer_id", "friend_id", "invitee_id"})
"""Unsealed fields that are personal data all the same (who referred whom)."""
EVENT_ENVELOPE = frozenset(
    {"originator_id", "originator_version", "originator_topic", "timestamp", "metadata"}
)
"""Event attributes shown as fields of their own rather than inside ``data``."""

MaySee = Callable[[UUID], bool]
"""Whether the caller may see the personal data of a subject."""

JsonValue = Any


class Redactor:
    """Turns domain values into JSON for one caller about one customer."""

    def __init__(self, may_see: MaySee, customer_id: UUID) -> None:
        self.may_see = may_see
        self.customer_id = customer_id

    def event_data(self, event: Any) -> dict[str, JsonValue]:
        """An event's payload, without the envelope (stream, version, time, metadata)."""
        payload = {k: v for k, v in vars(event).items() if k not in EVENT_ENVELOPE}
        return self.document(payload)

    def state(self, aggregate: Any) -> dict[str, JsonValue]:
        """An aggregate's public attributes (id, version and times are shown apart)."""
        return self.document(vars(aggregate))

    def document(self, fields: Mapping[Any, Any]) -> dict[str, JsonValue]:
        return {
            str(name): self.field(str(name), value)
            for name, value in fields.items()
            if not str(name).startswith("_")
        }

    def field(self, name: str, value: Any) -> JsonValue:
        if value is not None and SECRET_NAME.search(name):
            return HIDDEN
        if name in PERSONAL_NAMES and value is not None and not self.may_see(self.customer_id):
            return HIDDEN
        return self.value(value)

    def value(self, value: Any) -> JsonValue:
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        if isinstance(value, PersonalData):
            return self.personal(value)
        if isinstance(value, (UUID, Decimal)):
            return str(value)
        if isinstance(value, (datetime, date, time)):
            return value.isoformat()
        if isinstance(value, Enum):
            return self.value(value.value)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return self.document(
                {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
            )
        if isinstance(value, Mapping):
            return self.document(value)
        if isinstance(value, (list, tuple)):
            return [self.value(item) for item in value]
        if isinstance(value, (set, frozenset)):
            return sorted((self.value(item) for item in value), key=str)
        if hasattr(value, "__dict__"):
            return self.document(vars(value))
        return f"[{type(value).__name__}]"  # an unknown kind of value: never its text

    def personal(self, value: PersonalData) -> str:
        if value.value is None:
            return ERASED_TEXT
        return value.value if self.may_see(value.subject_id) else HIDDEN
